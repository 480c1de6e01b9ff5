"""Customer satisfaction (Zendesk's ``satisfaction_rating``): how one ticket was rated, and CSAT.

A ticket's rating is null (never offered) or ``{"score": "offered" | "unoffered" | "good" | "bad",
"comment": ...}``. CSAT is the share of good ratings among the good and bad ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

RATED = ("good", "bad")


def score_of(rating: object) -> str | None:
    score = rating.get("score") if isinstance(rating, Mapping) else None
    return score if isinstance(score, str) and score else None


def rating_text(rating: object) -> str | None:
    """"Rated good: “Quick and kind, thanks”", "Rating offered, no answer yet"; None when not offered."""
    score = score_of(rating)
    if score in RATED:
        comment = rating.get("comment") if isinstance(rating, Mapping) else None
        said = f": “{comment.strip()}”" if isinstance(comment, str) and comment.strip() else ""
        return f"{'😊' if score == 'good' else '☹'} Rated {score}{said}"
    if score == "offered":
        return "Satisfaction survey sent, no answer yet"
    return None


def csat(scores: Iterable[str | None]) -> tuple[float | None, int]:
    """(share of good among the rated, how many were rated); None when none were."""
    rated = [s for s in scores if s in RATED]
    return (sum(s == "good" for s in rated) / len(rated) if rated else None), len(rated)
