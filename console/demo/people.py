"""Demo workspace people: departments, agents with tokens, user-field definitions, customers."""

from __future__ import annotations

import random
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import orjson
from faker import Faker

from console.demo.accounts import DEMO_ACCOUNTS
from console.demo.data import (
    CHECKOUT_LANGUAGES,
    CURRENCIES,
    USER_FIELD_KEYS,
    USER_FIELDS,
    Weighted,
    load,
    option_name,
)
from console.server.db import iso

DAY = 86400
FAKER_LOCALES = (("en_US", 40), ("en_GB", 12), ("de_DE", 9), ("fr_FR", 8), ("es_ES", 7), ("it_IT", 5),
                 ("nl_NL", 5), ("pl_PL", 4), ("sv_SE", 4), ("pt_BR", 6))
MAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com", "inbox.example.net")
ACCOUNT_STATUS_MIX = Weighted(("active", "trial", "frozen", "canceled", "inactive"), (64, 8, 6, 12, 10))
PLAN_MIX = Weighted(("starter_monthly", "starter_annual", "pro_monthly", "pro_annual"), (35, 15, 35, 15))
CURRENCY_MIX = Weighted(CURRENCIES, (40,) + (4,) * 15)
CHECKOUT_LANGUAGE_MIX = Weighted(CHECKOUT_LANGUAGES, [2 if lang != "English" else 30 for lang in CHECKOUT_LANGUAGES])
AFFILIATE_MIX = Weighted(("none", "applicant", "active", "suspended"), (85, 4, 9, 2))
SUPPORT_ADDRESS = {"address": "support@demo.support-console.test", "name": "Support Console Demo"}

USER_COLUMNS = ("id", "name", "email", "role", "external_id", "time_zone", "locale", "signature", "tags",
                "user_fields", "default_group_id", "created_at", "updated_at", "generated_ts")
INSERT_USER = f"INSERT INTO users ({', '.join(USER_COLUMNS)}) VALUES ({', '.join('?' * len(USER_COLUMNS))})"


@dataclass(frozen=True)
class Person:
    """Someone who writes comments: an agent or an end-user."""
    id: int
    name: str
    email: str

    @property
    def first_name(self) -> str:
        return self.name.split()[0]


@dataclass
class Staff:
    """Who works where: department ids by name, agents, the demo accounts."""
    group_ids: dict[str, int]
    agents: dict[int, Person]
    members: dict[int, list[int]]           # group id → agent ids that take its tickets
    demo: dict[str, Person]                 # role label → the demo account


@dataclass
class Customers:
    """End-users by kind: customers with an account, prospects and merchants' customers without one."""
    with_account: list[Person] = field(default_factory=list)
    by_status: dict[str, list[Person]] = field(default_factory=dict)
    affiliates: list[Person] = field(default_factory=list)
    prospects: list[Person] = field(default_factory=list)
    merchants: list[Person] = field(default_factory=list)


# customers around the world: an end-user's (time zone, locale), by id
CUSTOMER_PLACES = (("America/New_York", "en-US"), ("Europe/Berlin", "de"), ("Europe/London", "en-GB"),
                   ("Asia/Singapore", "en-US"), ("America/Sao_Paulo", "pt-BR"), ("Europe/Paris", "fr"))


def user_row(uid: int, name: str, email: str, role: str, created_ts: int, *, user_fields: dict | None = None,
             default_group_id: int | None = None, signature: str | None = None,
             external_id: str | None = None, locale: str = "en-US", time_zone: str = "UTC") -> tuple:
    """A users row; an end-user's time zone and locale are its place (``CUSTOMER_PLACES``)."""
    if role == "end-user":
        time_zone, locale = CUSTOMER_PLACES[uid % len(CUSTOMER_PLACES)]
    stamp = iso(created_ts)
    fields = orjson.dumps(user_fields).decode() if user_fields is not None else "{}"
    return (uid, name, email, role, external_id, time_zone, locale, signature, "[]", fields,
            default_group_id, stamp, stamp, created_ts)


def empty_account() -> dict:
    """The user_fields of an end-user without a platform account: every key, all null."""
    return dict.fromkeys(USER_FIELD_KEYS)


def account_fields(*, account_email: str, username: str, plan: str, account_status: str, anchor_ts: int,
                   purchase_days_ago: int, next_invoice_in_days: int | None, currency: str = "usd",
                   checkout_language_mode: str = "fixed", checkout_language: str = "English",
                   custom_domain: str | None = None, security_question_set: bool = True,
                   affiliate_status: str = "none") -> dict:
    """The user_fields of a customer; dates are midnights, whole days away from the anchor's day."""
    inactive = account_status in ("canceled", "inactive")
    midnight = anchor_ts - anchor_ts % DAY
    return {
        "account_email": account_email, "username": username, "plan": plan, "account_status": account_status,
        "purchase_date": iso(midnight - purchase_days_ago * DAY),
        "next_invoice_date": None if inactive or next_invoice_in_days is None
        else iso(midnight + next_invoice_in_days * DAY),
        "currency": currency, "checkout_language_mode": checkout_language_mode,
        "checkout_language": checkout_language, "custom_domain": custom_domain,
        "security_question_set": security_question_set, "affiliate_status": affiliate_status,
    }


@lru_cache(maxsize=1 << 17)      # names repeat: the pools hold ~64k first-and-last pairs
def ascii_slug(text: str, sep: str = "") -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = ["".join(ch for ch in w if ch.isalnum()) for w in plain.split()]
    return sep.join(w for w in words if w)


def write_staff(conn: sqlite3.Connection, *, anchor_ts: int, admin_token: str | None) -> Staff:
    """Departments, the demo accounts, the other agents, memberships, tokens and user-field definitions."""
    spec = load("departments")
    created = anchor_ts - 400 * DAY
    stamp = iso(created)
    group_ids: dict[str, int] = {}
    for gid, dept in enumerate(spec["departments"], start=1):
        conn.execute("INSERT INTO groups (id, name, description, created_at, updated_at) VALUES (?,?,?,?,?)",
                     (gid, dept["name"], dept["description"], stamp, stamp))
        group_ids[dept["name"]] = gid

    people = [(a.role_label, a.name, a.email, a.role, spec["demo_account_departments"][a.role_label])
              for a in DEMO_ACCOUNTS]
    people += [(None, a["name"], a["email"], "agent", a["departments"]) for a in spec["agents"]]
    demo: dict[str, Person] = {}
    agents: dict[int, Person] = {}
    members: dict[int, list[int]] = {gid: [] for gid in group_ids.values()}
    membership_id = 0
    for uid, (label, name, email, role, departments) in enumerate(people, start=1):
        default_gid = group_ids[departments[0]] if departments else None
        signature = f"{name}\nSupport Console Demo team"
        conn.execute(INSERT_USER, user_row(uid, name, email, role, created + uid * 60,
                                           default_group_id=default_gid, signature=signature))
        person = Person(uid, name, email)
        if label:
            demo[label] = person
        for position, dept in enumerate(departments):
            membership_id += 1
            conn.execute("INSERT INTO group_memberships (id, user_id, group_id, is_default, created_at, "
                         "updated_at) VALUES (?,?,?,?,?,?)",
                         (membership_id, uid, group_ids[dept], int(position == 0), stamp, stamp))
            if label != "supervisor":   # the supervisor watches every queue but is not dealt tickets
                members[group_ids[dept]].append(uid)
        if role == "agent":
            agents[uid] = person

    for account in DEMO_ACCOUNTS:
        token = admin_token if account.role_label == "admin" and admin_token else account.token
        conn.execute("INSERT INTO api_tokens (token, user_id, created_at) VALUES (?,?,?)",
                     (token, demo[account.role_label].id, stamp))

    for fid, (key, kind, title, description, options) in enumerate(USER_FIELDS, start=1):
        opts = [{"id": fid * 100 + i, "name": option_name(v), "value": v} for i, v in enumerate(options, 1)]
        conn.execute("INSERT INTO user_fields (id, key, type, title, description, position, "
                     "custom_field_options, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                     (fid, key, kind, title, description, fid, orjson.dumps(opts).decode(), stamp, stamp))
    return Staff(group_ids, agents, members, demo)


class NamePool:
    """Seeded Faker names and companies, drawn once into pools (Faker is slow per call)."""

    def __init__(self, rng: random.Random, seed: int, size: int = 80):
        self.rng = rng
        locales: list[tuple[list[str], list[str]]] = []
        self.companies: list[str] = []
        for index, (locale, _) in enumerate(FAKER_LOCALES):
            fake = Faker(locale)
            fake.seed_instance(seed * 1000 + index)
            firsts = [fake.first_name() for _ in range(size)]
            lasts = [fake.last_name() for _ in range(size)]
            locales.append((firsts, lasts))
            self.companies += [fake.company() for _ in range(size // 4)]
        self.locales = Weighted(locales, [w for _, w in FAKER_LOCALES])

    def name(self) -> tuple[str, str]:
        firsts, lasts = self.locales.draw(self.rng)
        return self.rng.choice(firsts), self.rng.choice(lasts)


class CustomerFactory:
    """Makes end-users with unique emails and usernames and realistic account facts."""

    def __init__(self, rng: random.Random, names: NamePool, anchor_ts: int, first_id: int):
        self.rng, self.names, self.anchor_ts = rng, names, anchor_ts
        self.next_id = first_id
        self.emails: set[str] = set()
        self.usernames: set[str] = set()
        self.rows: list[tuple] = []
        # (base, format) → the suffix its last search ended on: the names taken only grow, so every
        # smaller suffix is still taken (a million tickets give a company ~1,300 usernames; without this
        # each new one tried them all again)
        self._suffixes: dict[tuple[str, str], int] = {}

    def _unique(self, base: str, taken: set[str], fmt: str) -> str:
        n = self._suffixes.get((base, fmt), 1)
        candidate = base if n == 1 else f"{base}{n}"
        while fmt.format(candidate) in taken:
            n += 1
            candidate = f"{base}{n}"
        self._suffixes[(base, fmt)] = n
        value = fmt.format(candidate)
        taken.add(value)
        return value

    def make(self, *, with_account: bool, status: str | None = None) -> tuple[Person, dict]:
        rng = self.rng
        first, last = self.names.name()
        name = f"{first} {last}"
        domain = rng.choice(MAIL_DOMAINS)
        email = self._unique(ascii_slug(f"{first} {last}", ".") or "customer", self.emails, "{}@" + domain)
        fields = empty_account()
        created_days = rng.randint(1, 120)
        if with_account:
            fields, created_days = self._account(first, last, email, status)
        uid = self.next_id
        self.next_id += 1
        created = self.anchor_ts - created_days * DAY - rng.randint(600, DAY - 600)
        self.rows.append(user_row(uid, name, email, "end-user", created, user_fields=fields,
                                  external_id=f"acct-{fields['username']}" if with_account else None))
        return Person(uid, name, email), fields

    def _account(self, first: str, last: str, email: str, status: str | None) -> tuple[dict, int]:
        rng = self.rng
        status = status or ACCOUNT_STATUS_MIX.draw(rng)
        company = rng.choice(self.names.companies) if rng.random() < 0.4 else None
        username = self._unique(ascii_slug(company or f"{first} {last}")[:24] or "member", self.usernames, "{}")
        account_email = email
        if rng.random() < 0.08:   # writes from another address than the one on the account
            account_email = self._unique(f"{username}.account", self.emails, "{}@" + rng.choice(MAIL_DOMAINS))
        if status == "trial":
            plan, days_ago = "trial", rng.randint(0, 13)
            next_in = 14 - days_ago
        else:
            plan = PLAN_MIX.draw(rng)
            days_ago = rng.randint(15, 1200)
            period = 365 if plan.endswith("annual") else 30
            next_in = period - days_ago % period if status == "active" else rng.randint(1, 30)
        fields = account_fields(
            account_email=account_email, username=username, plan=plan, account_status=status,
            anchor_ts=self.anchor_ts, purchase_days_ago=days_ago, next_invoice_in_days=next_in,
            currency=CURRENCY_MIX.draw(rng),
            checkout_language_mode=rng.choice(("fixed", "fixed", "visitor_location")),
            checkout_language=CHECKOUT_LANGUAGE_MIX.draw(rng),
            custom_domain=f"{username}.example" if rng.random() < 0.3 else None,
            security_question_set=rng.random() < 0.85,
            affiliate_status=AFFILIATE_MIX.draw(rng))
        return fields, days_ago + rng.randint(0, 3)


def write_customers(conn: sqlite3.Connection, factory: CustomerFactory, *, tickets: int) -> Customers:
    """The bulk end-users the generated tickets are written by."""
    pools = Customers()
    for _ in range(max(30, tickets // 3)):
        person, fields = factory.make(with_account=True)
        pools.with_account.append(person)
        pools.by_status.setdefault(fields["account_status"], []).append(person)
        if fields["affiliate_status"] in ("active", "applicant"):
            pools.affiliates.append(person)
    pools.prospects = [factory.make(with_account=False)[0] for _ in range(max(8, tickets // 15))]
    pools.merchants = [factory.make(with_account=False)[0] for _ in range(max(5, tickets // 40))]
    conn.executemany(INSERT_USER, factory.rows)
    factory.rows.clear()
    return pools
