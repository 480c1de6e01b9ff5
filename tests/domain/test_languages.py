"""The customer's language: detected among the 15 checkout languages, else the checkout language."""

import pytest

from console.domain.account import Account
from console.domain.languages import CHECKOUT_LANGUAGES, customer_language, detect_language, language_code

SAMPLES = {
    "en": "Please cancel my subscription, I do not want to be charged again.",
    "de": "Bitte kündigen Sie mein Abo, ich möchte nicht erneut belastet werden.",
    "fr": "Je voudrais un remboursement, la plateforme ne me convient pas.",
    "es": "Quiero cancelar mi suscripción antes del próximo pago.",
    "pt": "Gostaria de um reembolso, comprei há duas semanas.",
    "nl": "Ik wil graag mijn abonnement opzeggen voor de volgende factuur.",
    "it": "Vorrei un rimborso, ho comprato due settimane fa.",
    "da": "Jeg vil gerne have pengene tilbage for mit abonnement.",
    "sv": "Jag vill säga upp mitt abonnemang innan nästa faktura.",
    "no": "Jeg ønsker å si opp abonnementet mitt før neste faktura.",
    "fi": "Haluaisin peruuttaa tilaukseni ennen seuraavaa laskua.",
    "pl": "Chciałbym anulować subskrypcję przed następną fakturą.",
    "ro": "Aș dori să anulez abonamentul înainte de următoarea factură.",
    "sk": "Chcel by som zrušiť predplatné pred ďalšou faktúrou.",
    "bg": "Искам да прекратя абонамента си преди следващата фактура.",
}


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_each_checkout_language_is_told_apart(code):
    assert detect_language(SAMPLES[code]) == code


def test_every_checkout_language_has_a_sample():
    assert set(SAMPLES) == set(CHECKOUT_LANGUAGES)


def test_too_short_other_scripts_and_bad_input_are_unknown():
    assert detect_language("Danke!") is None
    assert detect_language("こんにちは。チェックアウトを日本語で表示することはできますか？") is None
    assert detect_language(None) is None and detect_language("broken \udcff surrogate text here ok") in (None, "en")


def test_the_text_wins_when_clear_else_the_checkout_language_else_english():
    german_checkout = Account(checkout_language="German")
    assert customer_language(german_checkout, "Upgrade", "Please switch my plan to the annual one.").code == "en"
    short = customer_language(german_checkout, "Hi", "Refund?")
    assert (short.code, short.source) == ("de", "checkout")
    assert customer_language(None, "Hi", "Refund?").source == "default"
    assert customer_language(None, "", SAMPLES["nl"]).name == "Dutch"
    assert language_code("de-AT") == "de" and language_code("nb") == "no" and language_code("Klingon") is None
