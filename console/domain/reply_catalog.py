"""Canned replies as the ranking sees them: one record per macro, grouped into translation families.

Built from cached macros (API dicts) by ``ReplyCatalog.from_macros(macros, group_names)``; build it
once per macro refresh and rank every ticket against it.

Naming rules (documented in the README):
- **Translations**: a macro titled like another plus `` [xx]`` (a checkout language's ISO code:
  ``Billing::Refund within the 30-day guarantee [de]``) is that reply in language ``xx``; a title
  without the suffix is English. One family = the English reply and its translations.
- **Fragments**: titles starting with ``Fragment::`` (``console.domain.fragments``) are never
  offered as replies; they are what replies include.
- **Assumptions**: ``Assumes:`` lines in the description (``console.domain.policy_guard``).

A record's intents come from what the reply says it is for: its title, its description and the
tags it adds (``routing`` vocabulary); intents found only in its body count less. Only the few
macro actions the ranking needs are read here (status, department, assignee, added tags,
public/internal); the editor applies the actions through ``CannedReply``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from console.domain.fragments import (
    FragmentError,
    check_fragments,
    fragment_name,
    fragments_from_macros,
    macro_text,
)
from console.domain.html import html_to_text
from console.domain.languages import CHECKOUT_LANGUAGES, ENGLISH
from console.domain.macro_actions import CURRENT_USER, macro_effect
from console.domain.policy_guard import Assumption, parse_assumptions
from console.domain.routing import DEPARTMENTS, detect_intents, intents_from_tags

_TRANSLATION = re.compile(r"\s*\[([a-z]{2})\]\s*$")
_ASSUMES = re.compile(r"^\s*assumes\s*:.*$", re.IGNORECASE | re.MULTILINE)


def family_of(title: str) -> tuple[str, str]:
    """(the family's English title, the language) of a canned reply's title (the naming rule above)."""
    translation = _TRANSLATION.search(title)
    language = translation.group(1) if translation and translation.group(1) in CHECKOUT_LANGUAGES else ENGLISH
    return (title[:translation.start()] if translation is not None and language != ENGLISH else title), language


@dataclass(frozen=True)
class ReplyRecord:
    """One canned reply (macro) with what ranking and the policy guard need."""

    macro_id: int
    title: str
    base_title: str
    language: str
    department: str | None
    description: str
    template: str
    public: bool = True
    status: str | None = None
    group_id: int | None = None
    assignee: str | None = None          # "current_user", a user id as text, or "" (unassign)
    added_tags: tuple[str, ...] = ()
    assumptions: tuple[Assumption, ...] = ()
    unknown_assumptions: tuple[str, ...] = ()
    intents: frozenset[str] = frozenset()
    body_intents: frozenset[str] = frozenset()
    fragment_error: str | None = None

    @property
    def solves(self) -> bool:
        return self.status == "solved"

    @classmethod
    def from_macro(cls, macro: Mapping, group_names: Mapping[int, str],
                   fragments: Mapping[str, str] | None = None) -> ReplyRecord:
        title = str(macro.get("title") or "")
        base_title, language = family_of(title)
        description = str(macro.get("description") or "")
        effect = macro_effect(macro.get("actions"), me=CURRENT_USER)   # the one reading of macro actions
        changes = effect.field_changes
        status, group_id, html, public = changes.get("status"), changes.get("group_id"), effect.comment_html, effect.public
        assignee = None if "assignee_id" not in changes else \
            "" if changes["assignee_id"] is None else str(changes["assignee_id"])
        tags = list(changes.get("tags") or [])
        text = macro_text(macro) or html_to_text(html or "")
        assumptions, unknown = parse_assumptions(description)
        purpose = _ASSUMES.sub("", description)
        label = base_title.split("::", 1)[-1]
        intents = detect_intents(label, purpose) | intents_from_tags(tags)
        error = None
        try:
            check_fragments(text, fragments or {})
        except FragmentError as exc:
            error = str(exc)
        return cls(int(macro["id"]), title, base_title, language, _department(macro, base_title, group_names),
                   description, text, public, status, group_id, assignee, tuple(tags), assumptions, unknown,
                   frozenset(intents), frozenset(detect_intents("", text) - intents), error)


def _department(macro: Mapping, title: str, group_names: Mapping[int, str]) -> str | None:
    prefix = title.split("::", 1)[0].strip() if "::" in title else ""
    known = set(group_names.values()) | set(DEPARTMENTS)
    if prefix in known:
        return prefix
    restriction = macro.get("restriction")
    if isinstance(restriction, Mapping) and restriction.get("type") == "Group":
        ids = restriction.get("ids") or [restriction.get("id")]
        names = [group_names.get(i) for i in ids if group_names.get(i)]
        if len(names) == 1:
            return names[0]
    return None


@dataclass
class ReplyCatalog:
    """The replies that can be offered (families by English title) and the fragments they include."""

    families: dict[str, dict[str, ReplyRecord]] = field(default_factory=dict)
    fragments: dict[str, str] = field(default_factory=dict)
    group_names: dict[int, str] = field(default_factory=dict)
    family_by_id: dict[int, str] = field(default_factory=dict)

    @classmethod
    def from_macros(cls, macros: Iterable[Mapping], group_names: Mapping[int, str] | None = None) -> ReplyCatalog:
        macros = [m for m in macros if isinstance(m, Mapping) and m.get("id") is not None]
        names = dict(group_names or {})
        fragments = fragments_from_macros(macros)
        families: dict[str, dict[str, ReplyRecord]] = {}
        for macro in macros:
            if fragment_name(macro.get("title")) or macro.get("active") is False:
                continue
            record = ReplyRecord.from_macro(macro, names, fragments)
            families.setdefault(record.base_title, {}).setdefault(record.language, record)
        by_id = {r.macro_id: title for title, variants in families.items() for r in variants.values()}
        return cls(families, fragments, names, by_id)

    def records(self) -> list[ReplyRecord]:
        return [r for variants in self.families.values() for r in variants.values()]
