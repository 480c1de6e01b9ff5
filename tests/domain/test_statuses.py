from console.domain.statuses import (
    ALL_STATUSES,
    PRIORITIES,
    PRIORITY_RANK,
    STATUS_RANK,
    STATUSES,
    UNSOLVED,
    is_known,
    priority_label,
    status_label,
)


def test_known_and_unknown_statuses_read_plainly():
    assert status_label("hold") == "On hold" and status_label("open") == "Open"
    assert status_label("in_review") == "In review (other status)" and not is_known("in_review")
    assert status_label(None) == "—" and is_known("solved")
    assert priority_label("urgent") == "Urgent" and priority_label(None) == "No priority"


def test_orders_and_ranks_say_the_same():
    assert (*STATUSES, "closed") == ALL_STATUSES and "closed" not in STATUSES
    assert ALL_STATUSES[:4] == UNSOLVED
    assert sorted(ALL_STATUSES, key=STATUS_RANK.__getitem__) == list(ALL_STATUSES)
    assert sorted(PRIORITIES, key=PRIORITY_RANK.__getitem__) == list(PRIORITIES)
    assert PRIORITY_RANK[None] < PRIORITY_RANK["low"]
