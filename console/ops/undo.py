"""Take back what was just queued: one stack of undoable steps for the window (Ctrl+Z, the toast's Undo).

    undo = UndoStack()
    undo.offer("#12: status → solved queued", lambda: tickets.undo_fields(op_id=...))
    undo.offered(text)   # signal: show a toast with an Undo button
    undo.undo()          # runs the newest step (each runs once); False when there is none

Steps expire after ``ttl`` seconds: an undo must never surprise the agent by reaching far back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

UNDO_SECONDS = 60.0


@dataclass
class _Step:
    text: str
    undo: Callable[[], None]
    at: float
    ttl: float | None = None   # this step's own lifetime (an undo send: its grace period)


class UndoStack(QObject):
    offered = Signal(str)     # text of the step that can be taken back
    undone = Signal(str)

    def __init__(self, parent: QObject | None = None, *, ttl: float = UNDO_SECONDS,
                 clock: Callable[[], float] = time.monotonic, limit: int = 20) -> None:
        super().__init__(parent)
        self._steps: list[_Step] = []
        self._ttl, self._clock, self._limit = ttl, clock, limit

    def offer(self, text: str, undo: Callable[[], None], *, ttl: float | None = None) -> None:
        """``ttl``: seconds this step can be taken back (default: the stack's own)."""
        self._steps = [s for s in self._steps if self._fresh(s)][-(self._limit - 1):]
        self._steps.append(_Step(text, undo, self._clock(), ttl))
        self.offered.emit(text)

    def _fresh(self, step: _Step) -> bool:
        return self._clock() - step.at <= (self._ttl if step.ttl is None else step.ttl)

    def seconds_left(self) -> float:
        """How long the newest step can still be taken back (0 when there is none)."""
        fresh = [s for s in self._steps if self._fresh(s)]
        if not fresh:
            return 0.0
        step = fresh[-1]
        return max(0.0, (self._ttl if step.ttl is None else step.ttl) - (self._clock() - step.at))

    def can_undo(self) -> bool:
        return any(self._fresh(s) for s in self._steps)

    def undo(self) -> bool:
        while self._steps:
            step = self._steps.pop()
            if self._fresh(step):
                step.undo()
                self.undone.emit(step.text)
                return True
        return False
