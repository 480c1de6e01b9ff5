"""Suggestions for the open ticket, off the GUI thread: ranked canned replies, its department, the policy guard.

    suggestions = SuggestionOps(runner, me=agent_id)
    suggested = suggestions.follow(shown)          # a SuggestedForTicket following an OpenTicket
    suggested.ready.connect(picker.on_suggestions) # ReplySuggestions, after each load of the ticket
    suggested.set_language("de")                   # the picker's language switch: rank again
    suggestions.canned_reply(macro_id, ticket, done=editor.insert_canned_reply, failed=bus.warn)

Everything is computed on the read lane with ``console.suggest`` (``TicketSuggestions``): the
``ReplyCatalog`` is built once per macro refresh and the usage history (canned replies this console
sent, ``canned_reply_id`` in the outbox payload) once per outbox change, then reused for every
ticket. ``console.suggest.policy_state`` gives the badges the send guard (``ReplyOps.send``)
checks a reply's text against; ``console.suggest.misrouted_ticket_ids`` is the "Probably
misrouted" queue (``console.models.queues``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from console.domain.fragments import FragmentError, expand_fragments, fragments_from_macros
from console.store import Change, Kind

from .runner import Runner

if TYPE_CHECKING:   # ranking, routing and the policy rules load on the read lane, when first needed
    from console.domain.ranking import RankedReply, TicketFacts
    from console.domain.triage import Suggestion

log = logging.getLogger(__name__)

__all__ = ["ReplySuggestions", "SuggestedForTicket", "SuggestionOps"]

CATALOG_KINDS = Kind.CANNED_REPLIES | Kind.DEPARTMENTS
USAGE_KINDS = Kind.OUTBOX


@dataclass(frozen=True)
class ReplySuggestions:
    """What the picker and the ticket pane show for one ticket."""

    ticket_id: int
    department: Suggestion
    replies: list[RankedReply]
    preselected: RankedReply | None
    facts: TicketFacts
    language: str                       # the language the replies are offered in
    customer_language: str              # the customer's (the switch's default)
    department_ids: dict[str, int]      # department name → id, to move the ticket
    current_department: str | None

    @property
    def misrouted(self) -> bool:
        from console.domain.triage import probably_misrouted

        return probably_misrouted(self.current_department, self.department)

    def ranked(self, macro_id: int) -> RankedReply | None:
        return next((r for r in self.replies if r.macro_id == macro_id), None)


class SuggestionOps(QObject):
    """Ranking and routing for the window; the catalog and the usage history are cached between tickets."""

    def __init__(self, runner: Runner, *, me: int | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.me = runner, me
        self._catalog: Any = None
        self._usage: Any = None
        self._generation = 0
        runner.bus.cache_changed.connect(self.on_cache_changed)

    def on_cache_changed(self, change: Change, _initiator: object) -> None:
        if change.touches(CATALOG_KINDS):
            self._catalog = None
            self._generation += 1
        if change.touches(USAGE_KINDS):
            self._usage = None
            self._generation += 1

    def follow(self, shown, parent: QObject | None = None) -> SuggestedForTicket:
        return SuggestedForTicket(self, shown, parent or self)

    def compute(self, reader, ticket_id: int, language: str | None, generation: int) -> ReplySuggestions | None:
        """On the read lane: the suggestions for one ticket (None when it is not cached)."""
        from console.domain.ranking import preselect
        from console.suggest import TicketSuggestions, build_catalog, read_usage

        catalog, usage = self._catalog, self._usage
        if catalog is None:
            catalog = build_catalog(reader)
        if usage is None:
            usage = read_usage(reader)
        if generation == self._generation:   # nothing changed meanwhile: keep them for the next ticket
            self._catalog, self._usage = catalog, usage
        ticket = reader.ticket(ticket_id)
        if ticket is None:
            return None
        ticket = {**ticket, **reader.pending_fields([ticket_id]).get(ticket_id, {})}   # as the pane shows it
        found = TicketSuggestions.for_ticket(reader, ticket_id, me=self.me, catalog=catalog, usage=usage,
                                             language=language, ticket=ticket)
        if found is None:
            return None
        customer = found.facts.language.code
        ids = {name: gid for gid, name in catalog.group_names.items()
               if gid in {g["id"] for g in reader.groups()}}
        return ReplySuggestions(ticket_id, found.department, found.replies, preselect(found.replies, found.facts),
                                found.facts, language or customer, customer, ids, found.facts.department)

    def for_ticket(self, ticket_id: int, *, language: str | None = None,
                   done: Callable[[ReplySuggestions | None], None]) -> None:
        generation = self._generation
        # the catalog's build is ~0.1-0.3 s of regex work, asked for again whenever a sync replaces the
        # macros or groups: on the read lane (nice 0, two threads) it held the GIL beside the GUI thread
        # (GUI stalls of 60-100 ms during a full sync)
        self.runner.read_in_background(
            lambda reader: self.compute(reader, ticket_id, language, generation), done=done,
            failed=lambda error: log.error("ranking the replies of #%s failed", ticket_id, exc_info=error))

    def canned_reply(self, macro_id: int, ticket: dict, *, done: Callable[[Any], None],
                     failed: Callable[[str], None]) -> None:
        """One canned reply for ``ticket`` with its fragments inlined (``done(CannedReply)``), or
        ``failed(message)`` when it is gone or a fragment is missing or loops: never half a reply."""
        from console.models.canned_replies import CannedReply

        me = self.me

        def work(reader):
            macro = reader.macro(macro_id)
            if macro is None:
                raise LookupError("That canned reply is no longer in the cache.")
            reply = CannedReply.from_macro(macro, ticket, me)
            text = expand_fragments(reply.template, fragments_from_macros(reader.all_macros()))
            return CannedReply(reply.macro_id, reply.title, reply.description, text, reply.public,
                               reply.field_changes)

        def broken(error: Exception) -> None:
            if isinstance(error, FragmentError | LookupError):
                failed(f"Can't insert the canned reply: {error}")
            else:
                log.error("reading canned reply %s failed", macro_id, exc_info=error)
                failed(f"Can't insert the canned reply: {error}")
        self.runner.read(work, done=done, failed=broken)


class SuggestedForTicket(QObject):
    """The suggestions for the ticket an ``OpenTicket`` shows, recomputed whenever it loads and
    whenever the canned replies change (a fragment edited once shows in every reply including it)."""

    ready = Signal(object)     # ReplySuggestions
    cleared = Signal()

    def __init__(self, ops: SuggestionOps, shown, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.current: ReplySuggestions | None = None
        self._ticket_id: int | None = None
        self._language: str | None = None
        self._asked = 0
        self._rerank = QTimer(self, singleShot=True, interval=100)   # a burst of macro changes → one ranking
        self._rerank.timeout.connect(self.refresh)
        shown.loaded.connect(self.on_loaded)
        shown.cleared.connect(self.clear)
        ops.runner.bus.cache_changed.connect(self.on_cache_changed)

    def on_cache_changed(self, change: Change, _initiator: object) -> None:
        """Canned replies (or departments) changed: rank the shown ticket's replies again."""
        if self._ticket_id is not None and change.touches(CATALOG_KINDS):
            self._rerank.start()

    def on_loaded(self, details) -> None:
        if details.ticket_id != self._ticket_id:
            self._ticket_id, self._language, self.current = details.ticket_id, None, None
        self.refresh()

    def set_language(self, code: str | None) -> None:
        """Offer the replies in ``code`` (None: the customer's language)."""
        if self._ticket_id is not None and code != self._language:
            self._language = code
            self.refresh()

    def refresh(self) -> None:
        ticket_id = self._ticket_id
        if ticket_id is None:
            return
        self._asked += 1
        asked = self._asked
        self.ops.for_ticket(ticket_id, language=self._language,
                            done=lambda found: self._arrived(asked, ticket_id, found))

    def _arrived(self, asked: int, ticket_id: int, found: ReplySuggestions | None) -> None:
        if asked != self._asked or ticket_id != self._ticket_id or found is None:
            return
        self.current = found
        self.ready.emit(found)

    def clear(self) -> None:
        self._ticket_id, self._language, self.current = None, None, None
        self._asked += 1
        self.cleared.emit()
