"""The table every bench prints: figure, value, budget, ratio (one home for its layout)."""

from __future__ import annotations

from collections.abc import Sequence


def print_table(rows: Sequence[tuple[str, str, str, str]], *, title: str = "figure", value_width: int | None = None,
                budget_width: int = 12, ratio: str = "ratio") -> None:
    """``rows`` of (figure, value, budget, ratio) strings, left-aligned names and right-aligned
    values; ``value_width`` defaults to the widest value."""
    width = max(len(title), *(len(row[0]) for row in rows))
    values = value_width if value_width is not None else max(len(row[1]) for row in rows)
    print(f"{title.ljust(width)}  {'value':>{values}}  {'budget':>{budget_width}}  {ratio}")
    for name, value, budget, note in rows:
        print(f"{name.ljust(width)}  {value:>{values}}  {budget:>{budget_width}}  {note}")
