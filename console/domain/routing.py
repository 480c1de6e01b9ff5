"""Intent detection and department routing hints from a ticket's subject and text.

Keyword patterns, matched case-insensitively on NFKC-normalised, case-folded text with curly
quotes straightened, so full-width letters, "ß" and typographic apostrophes behave. Patterns are
anchored on word boundaries (no "refund" inside "refunded" surprises, no "cancel" in "cancelled"
misses). Common German, French, Spanish, Portuguese, Dutch (and some Italian and Swedish) words are
recognised too. Quoted history below a reply marker ("On ... wrote:", "-----Original Message")
is ignored so an old thread doesn't decide the intent.

``detect_intents`` says which intents a text mentions; ``intent_evidence`` weighs them (subject,
asking sentences, either side of a "but", negated requests left out) for the department
suggestion (``console/domain/triage.py``) and the reply ranking (``console/domain/ranking.py``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

ASK_BEFORE_BUYING = "Ask Before Buying"
BILLING = "Billing"
AFFILIATE_PROGRAM = "Affiliate Program"
TECHNICAL_SUPPORT = "Technical Support"
DEPARTMENTS = (ASK_BEFORE_BUYING, BILLING, AFFILIATE_PROGRAM, TECHNICAL_SUPPORT)

_INTENT_PATTERNS: dict[str, tuple[str, ...]] = {
    "refund": (r"refund\w*", r"money back", r"reimburse\w*", r"charge ?back",
               r"r[üu]ckerstatt\w*", r"erstatt\w*", r"geld zur[üu]ck", r"rembours\w*", r"mon argent",
               r"reembols\w*", r"devoluci[oó]n", r"devolu[cç][aã]o", r"dinheiro de volta", r"terugbetal\w*",
               r"geld terug", r"rimbors\w*", r"[åa]terbetal\w*"),
    "cancel": (r"cancel\w*", r"unsubscribe from (?:the |my )?(?:plan|subscription)",
               r"(?:end|stop|terminate) (?:my |the )?(?:subscription|plan|account)",
               r"close (?:my |the )?account", r"delete (?:my |the )?account",
               r"k[üu]ndig\w*", r"annul\w*", r"r[ée]sili\w*", r"opzeg\w*", r"disdir\w*", r"disdetta",
               r"s[äa]ga upp", r"upps[äa]gning"),
    "freeze": (r"freez\w* (?:my |the |our )?(?:account|subscription|plan|it)", r"(?:account|subscription) freeze",
               r"frozen (?:account|subscription)", r"freeze instead", r"(?:can|could) i freeze", r"freeze option",
               r"pause (?:my |the |our )?(?:account|subscription|plan)", r"pause option",
               r"einfrier\w*", r"pausier\w*", r"congel\w*", r"geler", r"mettre en pause", r"bevriez\w*",
               r"pauzer\w*", r"pausar"),
    "security_question": (r"security question\w*", r"secret question\w*", r"security answer\w*",
                          r"sicherheitsfrage\w*", r"question de s[ée]curit[ée]", r"pregunta de seguridad",
                          r"pergunta de seguran[cç]a", r"beveiligingsvraag"),
    "rename": (r"(?:change|rename|edit|update|modify) (?:my |the )?user ?names?",
               r"user ?name (?:change|rename)", r"new user ?name", r"different user ?name",
               r"benutzernamen? (?:[äa]ndern|wechseln)", r"changer (?:mon |de )?nom d'utilisateur",
               r"cambiar (?:mi |el )?nombre de usuario", r"(?:mudar|alterar) (?:o |meu )?nome de usu[áa]rio",
               r"gebruikersnaam (?:wijzigen|veranderen)"),
    "login": (r"log ?in", r"logging in", r"sign ?in", r"signing in", r"can'?t access", r"cannot access", r"locked out",
              r"this account is not active", r"anmelden", r"einloggen", r"me connecter", r"connexion",
              r"iniciar sesi[oó]n", r"fazer login", r"inloggen"),
    "password_reset": (r"password\w*", r"passwort", r"mot de passe", r"contraseña", r"wachtwoord", r"senha",
                       r"password dimenticat\w*"),
    "email_change": (r"(?:change|update|new) (?:my |the )?(?:account |login )?e-?mail",
                     r"e-?mail (?:address )?change", r"e-?mail(?:-adresse)? [äa]ndern",
                     r"changer (?:mon |d'|l')(?:adresse )?e-?mail", r"cambiar (?:mi |el )?(?:correo|e-?mail)",
                     r"(?:mudar|alterar) (?:o |meu )?e-?mail", r"e-?mailadres (?:wijzigen|veranderen)"),
    "inactive_account": (r"this account is not active", r"account (?:is )?(?:inactive|not active)",
                         r"reactivat\w*", r"reinstat\w*", r"nicht aktiv", r"n'est pas actif", r"no est[áa] activa",
                         r"n[ãa]o est[áa] ativa", r"niet actief"),
    "invoice": (r"invoices?", r"receipts? for my (?:plan|subscription)", r"rechnung\w*", r"factur\w*",
                r"fatura\w*", r"factuur", r"fattur\w*", r"faktur\w*"),
    "card_update": (r"(?:update|change|replace|new|add) (?:my |the |a )?(?:new )?(?:credit |debit |business )?card",
                    r"card (?:has )?(?:expired|declined)", r"expired card", r"my card expired",
                    r"(?:payment|charge) (?:failed|was declined)", r"failed payment",
                    r"(?:switch|move) (?:the |my )?subscription to (?:my |a )?(?:\w+ )?card",
                    r"kreditkarte\w*", r"karte (?:abgelaufen|aktualisieren|[äa]ndern)",
                    r"carte (?:bancaire|de cr[ée]dit)", r"tarjeta", r"cart[ãa]o", r"creditcard",
                    r"carta di credito", r"kort(?:et)? (?:har )?g[åa]tt ut"),
    "payment_method": (r"paypal", r"payment methods?", r"pay by (?:bank|wire|debit)",
                       r"(?:do you|can i) (?:accept|pay with)", r"debit card"),
    "sales_tax": (r"sales tax", r"\bvat\b", r"tax (?:line|charge|exempt\w*)", r"umsatzsteuer", r"mehrwertsteuer",
                  r"mwst", r"\btva\b", r"\biva\b", r"\bbtw\b", r"imposto"),
    "plan_change": (r"upgrad\w*", r"downgrad\w*", r"(?:change|switch) (?:my |the )?plan",
                    r"annual plan", r"monthly plan", r"(?:to|on) the annual one", r"jahresabo\w*",
                    r"plan annuel", r"plan anual", r"jaarabonnement"),
    "trial": (r"\$1 trial", r"(?:free |one dollar |1 dollar )?trial", r"proefperiode", r"testphase", r"probeabo",
              r"p[ée]riode d'essai", r"essai [àa] 1", r"periodo de prueba", r"per[íi]odo de (?:teste|avalia[cç][ãa]o)"),
    "pre_sales": (r"before (?:i|we) (?:buy|purchase|sign up|subscribe)",
                  r"(?:thinking|considering) (?:of |about )?(?:buying|signing up|subscribing)",
                  r"does (?:the platform|your platform|it) (?:support|offer|include|have)",
                  r"pricing", r"which plan", r"bevor ich (?:kaufe|buche|mich anmelde)", r"avant d'acheter",
                  r"antes de comprar", r"voordat ik (?:koop|me aanmeld)", r"prima di acquistare"),
    "affiliate": (r"affiliat\w*", r"afiliad\w*", r"partnerprogramm\w*", r"partner program\w*",
                  r"referral (?:program|link)"),
    "affiliate_commission": (r"commission\w*", r"commissione", r"comiss[ãa]o", r"comisi[oó]n", r"provision\w*",
                             r"payouts?", r"paid out", r"referrals? (?:signed up|is missing|missing|bought|purchased)",
                             r"(?:my|a|one of my) referrals?"),
    "custom_domain": (r"custom domain\w*", r"(?:connect|point|use|added|add|connected) (?:my |our )?(?:own )?domain",
                      r"\bdns\b", r"cname", r"eigene domain", r"mon (?:propre )?domaine", r"mi (?:propio )?dominio",
                      r"meu (?:pr[óo]prio )?dom[íi]nio", r"eigen domein"),
    "language": (r"languages?", r"translat\w*", r"checkout in (?:\w+)", r"sprache\w*", r"auf deutsch",
                 r"langue\w*", r"en fran[cç]ais", r"idioma\w*", r"en espa[ñn]ol", r"em portugu[êe]s", r"taal",
                 r"in het nederlands", r"in (?:german|french|spanish|dutch|portuguese|italian|polish|swedish)"),
    "checkout_language": (r"checkouts? (?:(?:can |could )?(?:be )?(?:shown |displayed )?in|language\w*)",
                          r"(?:language|sprache|langue|idioma|taal) (?:of|on|in|for|de|van|da|der) (?:the |my |our |mein\w* |la |ma |mi |o |de |het )?(?:checkout|kasse|caisse|pago)",
                          r"checkout (?:auf|en|in|em) (?:\w+)"),
    "app_language": (r"(?:app|interface|dashboard|editor|back ?office)(?: itself)? .{0,20}(?:in|available in|to) "
                     r"(?:english|german|french|spanish|portuguese|dutch|italian|polish|another language|my language)",
                     r"(?:app|interface) (?:is )?(?:only )?(?:in )?english", r"switch the (?:app |app's )?interface"),
    "currency": (r"currenc\w*", r"w[äa]hrung\w*", r"devise\w*", r"moneda\w*", r"moeda\w*", r"valuta\w*"),
    "profile_save": (r"profile (?:won'?t|will not|doesn'?t|does not|cannot|can'?t) (?:save|update)",
                     r"(?:save|saving) (?:on )?(?:my )?profile", r"outlined in red",
                     r"profile (?:but )?it (?:won'?t|will not) save", r"profil (?:speichert|wird nicht gespeichert)"),
    "experts": (r"experts? marketplace", r"hire (?:an? )?(?:expert|someone|freelancer)", r"(?:find|recommend) an? expert",
                r"marketplace"),
    "screen_recording": (r"screen ?recording", r"video of the (?:problem|issue)", r"\bloom\b"),
    "technical_issue": (r"freezes", r"freezing", r"crash\w*", r"error (?:message|page)", r"bug", r"glitch\w*",
                        r"(?:doesn'?t|does not|won'?t|will not) (?:load|work|open|show)", r"not working",
                        r"disappear\w*", r"broken", r"page editor", r"reload the (?:page|browser)",
                        r"(?:looks?|shows?|is|are) wrong"),
    "merchant_purchase": (r"(?:bought|purchased|enrolled in|signed up for|paid for) (?:a |an |the |your |his |her |their )?"
                          r"(?:\w+ |\"[^\"]{1,60}\" ){0,3}(?:online )?(?:course|membership|program|programme|coaching|"
                          r"ebook|e-book|workshop|masterclass)",
                          r"(?:course|membership|coaching|workshop) from", r"charged by",
                          r"(?:on|from) (?:the |my )?(?:email )?(?:receipt|bank statement)",
                          r"(?:your|the) (?:logo|brand|company name) (?:is |was )?on",
                          r"receipt (?:came from|shows|has) your", r"on my bank statement",
                          r"my (?:course|membership) (?:access|login)",
                          r"access (?:to )?(?:the |my )?(?:course|membership)",
                          r"(?:the )?seller", r"i never (?:signed up|bought)",
                          r"(?:online-)?kurs (?:gekauft|bei)", r"quittung", r"comprei um curso", r"compr[ée] un curso",
                          r"cursus gekocht", r"(?:o|el|mi|meu|no) recibo", r"(?:mon|le|du) re[çc]u", r"(?:vosso|vuestro|ihr) log[oó]"),
}



@cache
def intent_patterns() -> dict[str, re.Pattern[str]]:
    """One pattern per intent, compiled on first use (~15 ms: not at start-up, which imports this)."""
    return {intent: re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)", re.IGNORECASE)
            for intent, patterns in _INTENT_PATTERNS.items()}

_QUOTED_HISTORY = re.compile(
    r"^\s*(?:on .{3,200}wrote:|-{2,}\s*original message\s*-{2,}|from: .+@.+|>.*)$",
    re.IGNORECASE | re.MULTILINE,
)

_RESET_WORDS = re.compile(r"(?<!\w)(?:reset\w*|forgot|forgotten|change|new|lost|temporary|vergessen|zur[üu]cksetz\w*|"
                          r"oubli\w*|r[ée]initialis\w*|olvid\w*|restablec\w*|esqueci\w*|redefin\w*|vergeten|"
                          r"dimenticat\w*)(?!\w)")

# Which department takes each intent (DOMAIN.md "Departments"); merchant_purchase has none of its own.
INTENT_DEPARTMENT = {
    **dict.fromkeys(("refund", "cancel", "freeze", "invoice", "card_update", "payment_method", "sales_tax",
                     "plan_change"), BILLING),
    **dict.fromkeys(("security_question", "rename", "login", "password_reset", "email_change", "inactive_account",
                     "custom_domain", "language", "currency", "profile_save", "experts", "screen_recording",
                     "technical_issue"), TECHNICAL_SUPPORT),
    **dict.fromkeys(("trial", "pre_sales"), ASK_BEFORE_BUYING),
    "affiliate": AFFILIATE_PROGRAM,
    "affiliate_commission": AFFILIATE_PROGRAM,
    "checkout_language": TECHNICAL_SUPPORT,
    "app_language": TECHNICAL_SUPPORT,
}
# Intents a customer asks *for*: "I don't want to cancel" is no cancellation. Problems ("I can't log in")
# are never negated by the "not" that describes them.
REQUEST_INTENTS = frozenset({"refund", "cancel", "freeze", "rename", "email_change", "card_update", "plan_change",
                             "affiliate", "trial", "invoice", "sales_tax", "language", "currency"})
_AFTER_NEGATION = re.compile(r"\s*(?:nothing|anything|nichts|rien|nada|niets|niente)(?!\w)")
_INSTEAD = re.compile(r"(?:instead of|rather than|en lugar de|en vez de|au lieu de|statt|anstatt|em vez de|"
                      r"ao inv[ée]s de|in plaats van|invece di)\s*(?:\w+\s+){0,2}$")
# "My invoices are fine": a mention that is settled weighs little; "the problem is..." is the request.
_SETTLED = re.compile(r"(?<!\w)(?:(?:is|are) (?:all )?fine|works? fine|(?:is|are) ok|no problem with|all good)(?!\w)")
_PROBLEM = re.compile(r"(?<!\w)(?:problem|issue|trouble|error|help|stuck|urgent)(?!\w)")
SETTLED_WEIGHT = 0.3
_NEGATION = re.compile(r"(?<!\w)(?:not|no|never|nothing|don'?t|doesn'?t|didn'?t|won'?t|isn'?t|nicht|kein\w*|"
                       r"pas|ne|ni|nunca|não|nao|niet|geen|non|inte|nie)(?!\w)")
_REQUEST = re.compile(r"\?|(?<!\w)(?:please|can you|could you|can i|could i|how do i|how can i|i want|i would like|"
                      r"i'd like|i need|bitte|kann ich|können sie|ich möchte|ich will|s'il vous pla[iî]t|je voudrais|"
                      r"je souhaite|je veux|pouvez-vous|por favor|quiero|quisiera|me pueden|puedo|gostaria|quero|"
                      r"posso|alstublieft|graag|ik wil|kan ik|kunnen jullie|vorrei|potete|posso)(?!\w)")
_CONTRAST = re.compile(r"(?<!\w)(?:but|however|aber|jedoch|mais|pero|mas|maar|ma|men)(?!\w)")
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
SUBJECT_WEIGHT = 1.5
REQUEST_WEIGHT = 1.3
AFTER_CONTRAST_WEIGHT = 1.4
BEFORE_CONTRAST_WEIGHT = 0.6


@dataclass(frozen=True)
class Evidence:
    """How strongly a ticket asks about one intent, and the words that said so (as written, lower-case)."""

    intent: str
    weight: float
    words: tuple[str, ...]


def normalize_text(text: str | None) -> str:
    """NFKC, case-folded, straight quotes, single spaces; safe on any input."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", text)


def strip_quoted_history(text: str) -> str:
    """The text above the first reply marker or quoted line."""
    match = _QUOTED_HISTORY.search(text)
    return text[: match.start()] if match else text


def detect_intents(subject: str | None, text: str | None) -> set[str]:
    """Intents found in a ticket's subject and message body (see _INTENT_PATTERNS for names)."""
    body = strip_quoted_history(text if isinstance(text, str) else "")
    haystack = normalize_text(f"{subject or ''}\n{body}")
    found = {intent for intent, pattern in intent_patterns().items() if pattern.search(haystack)}
    if "password_reset" in found and not _RESET_WORDS.search(haystack):
        found.discard("password_reset")  # a password mentioned in passing is a login problem
        found.add("login")
    return found


_TAG_ALIASES = {
    "refunds": "refund", "refund_request": "refund", "cancellation": "cancel", "cancel_request": "cancel",
    "security_question_reset": "security_question", "username": "rename", "username_change": "rename",
    "merchant": "merchant_purchase", "merchant_customer": "merchant_purchase", "inactive": "inactive_account",
    "reinstatement": "inactive_account", "password": "password_reset",
}


def intents_from_tags(tags: object) -> set[str]:
    """Intents named by ticket tags ("refund", "cancellation", "security-question-reset", ...)."""
    if not isinstance(tags, list | tuple | set):
        return set()
    found = set()
    for tag in tags:
        if isinstance(tag, str):
            key = normalize_text(tag).strip().replace("-", "_").replace(" ", "_")
            key = _TAG_ALIASES.get(key, key)
            if key in _INTENT_PATTERNS:
                found.add(key)
    return found


def intent_evidence(subject: str | None, text: str | None) -> dict[str, Evidence]:
    """Weighted intents of a ticket: a mention in the subject counts 1.5, in a sentence that asks for
    something (a question, "please", "I want"...) 1.3, after a "but" 1.4 and before it 0.6; a request
    intent right after a negation ("I don't want a refund") does not count. Quoted history is ignored."""
    body = strip_quoted_history(text if isinstance(text, str) else "")
    segments = [(normalize_text(subject), SUBJECT_WEIGHT, -1)]
    for sentence in _SENTENCE.split(normalize_text(body)):
        weight = REQUEST_WEIGHT if _REQUEST.search(sentence) or _PROBLEM.search(sentence) else 1.0
        if _SETTLED.search(sentence):
            weight = SETTLED_WEIGHT
        contrast = _CONTRAST.search(sentence)
        cut = contrast.start() if contrast and sentence[:contrast.start()].strip() and \
            sentence[contrast.end():].strip() else -1
        segments.append((sentence, weight, cut))
    weights: dict[str, float] = {}
    words: dict[str, list[str]] = {}
    for segment, weight, cut in segments:
        if not segment.strip():
            continue
        for intent, pattern in intent_patterns().items():
            best = 0.0
            for match in pattern.finditer(segment):
                if intent in REQUEST_INTENTS and _negated(segment, match.start(), match.end()):
                    continue
                side = 1.0 if cut < 0 else BEFORE_CONTRAST_WEIGHT if match.end() <= cut else \
                    AFTER_CONTRAST_WEIGHT if match.start() >= cut else 1.0
                best = max(best, weight * side)
                found = words.setdefault(intent, [])
                if match.group(0) not in found:
                    found.append(match.group(0))
            if best:
                weights[intent] = weights.get(intent, 0.0) + best
    if "password_reset" in weights and not _RESET_WORDS.search(normalize_text(f"{subject or ''} {body}")):
        moved = weights.pop("password_reset")  # a password mentioned in passing is a login problem
        weights["login"] = weights.get("login", 0.0) + moved
        words.setdefault("login", []).extend(words.pop("password_reset", []))
    return {intent: Evidence(intent, round(w, 3), tuple(words.get(intent, ()))) for intent, w in weights.items()}


def _negated(segment: str, start: int, end: int) -> bool:
    """A negation among the three words before the match, "instead of" just before it, or "nothing" after it."""
    window = segment[max(0, start - 40):start]
    before = re.findall(r"[\w']+", window)[-3:]
    return (any(_NEGATION.fullmatch(word) for word in before) or bool(_INSTEAD.search(window))
            or bool(_AFTER_NEGATION.match(segment, end)))
