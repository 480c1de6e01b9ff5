from console.domain.statuses import is_known, status_label


def test_known_and_unknown_statuses_read_plainly():
    assert status_label("hold") == "On hold" and status_label("open") == "Open"
    assert status_label("in_review") == "In review (other status)" and not is_known("in_review")
    assert status_label(None) == "—" and is_known("solved")
