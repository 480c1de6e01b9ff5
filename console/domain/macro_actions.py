"""What a helpdesk macro (a canned reply) does to a ticket: its actions read once, for everyone.

``macro_effect(actions, tags=..., me=...)`` reads a macro's ``actions`` list (helpdesk-api.md §9)
into a ``MacroEffect``: the ticket fields it sets, the custom fields it sets, the comment it adds
(text and/or HTML template, placeholders left as they are) and whether that comment is public.
The embedded helpdesk's apply endpoints and the console's ``CannedReply`` both use it.

The actions, as Zendesk reads them:
- ``status``, ``priority``, ``type``, ``subject``: set the field ('' clears it);
- ``group_id``, ``assignee_id``: an id, '' to clear, or ``current_user`` (the agent applying it;
  left alone when the agent is not known);
- ``set_tags`` replaces the tags, ``current_tags`` adds to them, ``remove_tags`` takes away
  (space-separated or a list, lower case; applied in order on the ticket's tags);
- ``comment_value`` / ``comment_value_html``: the comment (a ``[channel, text]`` list means its
  last item); ``comment_mode_is_public``: ``false`` makes it an internal note;
- ``custom_fields_<id>``: sets that custom field. Other actions are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

PLAIN_FIELDS = ("status", "priority", "type", "subject")
ID_FIELDS = ("group_id", "assignee_id")
TAG_ACTIONS = ("set_tags", "current_tags", "remove_tags")


@dataclass(frozen=True)
class MacroEffect:
    """What applying a macro changes. ``field_changes`` holds ticket fields by their API names;
    ``tags`` in it is the full resulting list, present only when the tags change."""

    field_changes: dict[str, Any] = field(default_factory=dict)
    custom_fields: tuple[dict[str, Any], ...] = ()   # [{"id": 900, "value": ...}, ...]
    comment_text: str | None = None
    comment_html: str | None = None
    public: bool = True

    @property
    def has_comment(self) -> bool:
        return self.comment_text is not None or self.comment_html is not None


CURRENT_USER = "current_user"


def macro_effect(actions: Iterable[Any] | None, *, tags: Iterable[str] = (), me: int | str | None = None
                 ) -> MacroEffect:
    """Read ``actions`` for a ticket holding ``tags``, applied by agent ``me`` (``CURRENT_USER`` keeps
    "assign to whoever applies it" as that word: a catalog describing the macro for any agent)."""
    changes: dict[str, Any] = {}
    custom: dict[int, Any] = {}
    before = list(tags)
    after, tags_touched = list(before), False
    text = html = None
    public = True
    for action in actions or ():
        if not isinstance(action, Mapping):
            continue
        name, value = str(action.get("field") or ""), action.get("value")
        if name in PLAIN_FIELDS:
            changes[name] = value or None
        elif name in ID_FIELDS:
            if value == "current_user":
                if me is not None:
                    changes[name] = me
            else:
                changes[name] = int(str(value)) if str(value or "").isdigit() else None
        elif name in TAG_ACTIONS:
            after, tags_touched = _tags(name, value, after), True
        elif name == "comment_value":
            text = _comment(value)
        elif name == "comment_value_html":
            html = _comment(value)
        elif name == "comment_mode_is_public":
            public = str(value).lower() != "false"
        elif name.startswith("custom_fields_") and name.removeprefix("custom_fields_").isdigit():
            custom[int(name.removeprefix("custom_fields_"))] = value
    if tags_touched and after != before:
        changes["tags"] = after
    return MacroEffect(changes, tuple({"id": i, "value": v} for i, v in custom.items()), text, html, public)


def _tags(action: str, value: Any, tags: list[str]) -> list[str]:
    text = " ".join(map(str, value)) if isinstance(value, list | tuple) else str(value or "")
    words = list(dict.fromkeys(text.lower().split()))
    if action == "set_tags":
        return words
    if action == "current_tags":
        return tags + [t for t in words if t not in tags]
    return [t for t in tags if t not in words]


def _comment(value: Any) -> str:
    if isinstance(value, list):
        value = value[-1] if value else ""
    return "" if value is None else str(value)


def bulk_field_changes(actions: Iterable[Any] | None, *, me: int | None = None) -> dict[str, Any]:
    """A macro's field actions as one change for many tickets at once (``update_many``): tag actions
    become ``additional_tags`` / ``remove_tags`` (``tags`` for ``set_tags``), which do not depend on
    each ticket's own tags; the comment is not part of it."""
    changes = {k: v for k, v in macro_effect(actions, me=me).field_changes.items() if k != "tags"}
    for action in actions or ():
        if not isinstance(action, Mapping) or action.get("field") not in TAG_ACTIONS:
            continue
        words = _tags("set_tags", action.get("value"), [])
        key = {"set_tags": "tags", "current_tags": "additional_tags", "remove_tags": "remove_tags"}[action["field"]]
        changes[key] = list(dict.fromkeys([*changes.get(key, []), *words]))
    return changes
