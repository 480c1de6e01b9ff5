"""The account's custom ticket fields: which are offered, and how an entered value is read."""

from __future__ import annotations

import pytest

from console.domain.ticket_fields import CustomField, FieldValueError, custom_fields

FIELDS = [
    {"id": 1, "type": "subject", "title": "Subject"},
    {"id": 2, "type": "tickettype", "title": "Type", "system_field_options": [{"name": "Task", "value": "task"}]},
    {"id": 10, "type": "text", "title": "Order number"},
    {"id": 11, "type": "tagger", "title": "Area", "custom_field_options": [{"id": 5, "name": "Payouts",
                                                                            "value": "area_payouts"}]},
    {"id": 12, "type": "decimal", "title": "Refund amount"},
    {"id": 13, "type": "multiselect", "title": "Not editable here"},
    {"id": 14, "type": "date", "title": "Due"},
    {"id": 15, "type": "checkbox", "title": "Callback"},
    {"id": 16, "type": "integer", "title": "Seats"},
]


def test_only_custom_fields_the_console_can_edit_are_offered():
    assert [f.id for f in custom_fields(FIELDS)] == [10, 11, 12, 14, 15, 16]


def test_values_are_read_as_the_helpdesk_takes_them():
    by_id = {f.id: f for f in custom_fields(FIELDS)}
    assert by_id[10].value(" 1182 ") == "1182" and by_id[10].value("") is None
    assert by_id[11].value("area_payouts") == "area_payouts" and by_id[11].shown("area_payouts") == "Payouts"
    assert by_id[12].value("12,50") == 12.5 and by_id[12].shown(12.0) == "12"
    assert by_id[14].value("2026-12-24") == "2026-12-24"
    assert by_id[15].value(True) is True and by_id[15].shown(True) == "yes"
    assert by_id[16].value("3") == 3
    for field_id, bad in ((11, "nope"), (12, "twelve"), (14, "24/12/2026"), (16, "3.5")):
        with pytest.raises(FieldValueError, match=by_id[field_id].title):
            by_id[field_id].value(bad)


def test_a_field_without_an_id_is_not_offered():
    assert CustomField.from_api({"type": "text", "title": "x"}) is None
