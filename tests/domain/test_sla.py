"""First-reply SLA states around their boundaries, waiting times and medians."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from console.domain.sla import (
    DEFAULT_SLA_TARGETS,
    SlaPolicy,
    first_reply_at,
    median,
    parse_api_time,
    sla_state,
    waiting_since,
)

AGENT, OTHER_AGENT, CUSTOMER = 7002, 7003, 9001
AGENTS = {AGENT, OTHER_AGENT}
CREATED = datetime(2026, 6, 15, 23, 30, tzinfo=UTC)  # late evening: deadlines cross midnight


def at(minutes):
    return CREATED + timedelta(minutes=minutes)


def comment(author, minutes, public=True):
    return {"id": minutes, "author_id": author, "public": public,
            "created_at": at(minutes).strftime("%Y-%m-%dT%H:%M:%SZ")}


def ticket(status="open", priority="normal", created=CREATED):
    return {"id": 1, "status": status, "priority": priority,
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ")}


# sla_state

@pytest.mark.parametrize("now_minutes, expected", [
    (0, "ok"),
    (44, "ok"),      # 16 of 60 minutes left: more than 25%
    (45, "ok"),      # exactly 25% left is not yet at risk
    (46, "at_risk"),
    (60, "at_risk"),  # the deadline instant itself
    (61, "breached"),
])
def test_unanswered_ticket_states_around_the_boundaries(now_minutes, expected):
    assert sla_state(CREATED, None, 60, now=at(now_minutes)) == expected


def test_replied_on_time_is_met_even_long_after():
    assert sla_state(CREATED, at(60), 60, now=at(5000)) == "met"


def test_replied_late_is_breached():
    assert sla_state(CREATED, at(61), 60, now=at(62)) == "breached"


def test_other_time_zones_are_compared_as_instants():
    tokyo = timezone(timedelta(hours=9))
    created_tokyo = CREATED.astimezone(tokyo)  # 08:30 on the 16th in Tokyo
    reply_new_york = at(479).astimezone(timezone(timedelta(hours=-4)))
    assert sla_state(created_tokyo, reply_new_york, 480, now=at(600)) == "met"
    assert sla_state(created_tokyo, None, 480, now=at(481).astimezone(tokyo)) == "breached"


def test_custom_at_risk_fraction():
    assert sla_state(CREATED, None, 100, now=at(40), at_risk_fraction=0.75) == "at_risk"
    assert sla_state(CREATED, None, 100, now=at(40)) == "ok"


def test_naive_datetimes_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="timezone-aware"):
        sla_state(datetime(2026, 6, 15), None, 60, now=at(0))


# first_reply_at

def test_first_reply_ignores_internal_notes_and_customer_comments():
    comments = [comment(CUSTOMER, 0), comment(AGENT, 10, public=False), comment(CUSTOMER, 20),
                comment(OTHER_AGENT, 95), comment(AGENT, 120)]
    assert first_reply_at(ticket(), comments, AGENTS) == at(95)


def test_agent_created_ticket_opening_comment_is_not_a_reply():
    comments = [comment(AGENT, 0), comment(CUSTOMER, 30), comment(AGENT, 45)]
    assert first_reply_at(ticket(), comments, AGENTS) == at(45)


def test_no_reply_yet_and_unordered_comments():
    assert first_reply_at(ticket(), [comment(CUSTOMER, 0), comment(AGENT, 5, public=False)], AGENTS) is None
    assert first_reply_at(ticket(), [comment(AGENT, 50), comment(CUSTOMER, 0), comment(AGENT, 40)],
                          AGENTS) == at(40)


def test_unreadable_timestamps_are_skipped():
    broken = {"author_id": AGENT, "public": True, "created_at": "yesterday"}
    assert first_reply_at(ticket(), [comment(CUSTOMER, 0), broken], AGENTS) is None


# SlaPolicy

def test_default_targets_and_department_overrides():
    assert DEFAULT_SLA_TARGETS["*"] == {"urgent": 60, "high": 240, "normal": 480, "low": 1440}
    policy = SlaPolicy(targets={**DEFAULT_SLA_TARGETS, "Billing": {"urgent": 30}})
    assert policy.target_minutes("Billing", "urgent") == 30
    assert policy.target_minutes("Billing", "low") == 1440  # falls back to "*"
    assert policy.target_minutes("Technical Support", "urgent") == 60
    assert policy.target_minutes(None, None) == 480  # no priority counts as normal
    assert SlaPolicy(targets={"Billing": {"high": 10}}).target_minutes("Affiliate Program", "high") is None


def test_policy_state_of_a_ticket_across_midnight():
    policy = SlaPolicy()
    urgent = ticket(priority="urgent")
    assert policy.state_of(urgent, [comment(CUSTOMER, 0)], AGENTS, "Billing", now=at(50)) == "at_risk"
    assert policy.state_of(urgent, [comment(CUSTOMER, 0)], AGENTS, "Billing", now=at(70)) == "breached"
    replied = [comment(CUSTOMER, 0), comment(AGENT, 55)]
    assert policy.state_of(urgent, replied, AGENTS, "Billing", now=at(70)) == "met"


@pytest.mark.parametrize("bad", [{"*": {"normal": 0}}, {"*": {"normal": "8h"}}])
def test_invalid_targets_are_refused(bad):
    with pytest.raises(ValueError, match="positive number of minutes"):
        SlaPolicy(targets=bad)


# waiting_since

@pytest.mark.parametrize("status", ["pending", "solved", "closed"])
def test_not_waiting_on_us(status):
    assert waiting_since(ticket(status=status), [comment(CUSTOMER, 0)], AGENTS) is None


def test_waiting_since_creation_when_nobody_answered():
    assert waiting_since(ticket(status="new"), [comment(CUSTOMER, 0), comment(CUSTOMER, 30)], AGENTS) == CREATED


def test_waiting_since_first_unanswered_customer_message():
    comments = [comment(CUSTOMER, 0), comment(AGENT, 20), comment(CUSTOMER, 40), comment(AGENT, 50, public=False),
                comment(CUSTOMER, 90)]
    assert waiting_since(ticket(), comments, AGENTS) == at(40)


def test_open_ticket_where_agent_spoke_last_waits_since_that_reply():
    comments = [comment(CUSTOMER, 0), comment(AGENT, 20)]
    assert waiting_since(ticket(status="hold"), comments, AGENTS) == at(20)


# median and parsing

def test_median_of_numbers_and_durations():
    assert median([]) is None
    assert median([None, 5, None]) == 5
    assert median([1, 9, 3, 7]) == 5
    assert median([timedelta(minutes=10), timedelta(minutes=30)]) == timedelta(minutes=20)


def test_parse_api_time_forms():
    assert parse_api_time("2026-06-15T23:30:00Z") == CREATED
    assert parse_api_time("2026-06-16T01:30:00+02:00") == CREATED
    assert parse_api_time("2026-06-15T23:30:00") is None  # no zone: unknown instant
    assert parse_api_time("garbage") is None and parse_api_time(None) is None


def test_settings_merge_over_the_documented_defaults():
    policy = SlaPolicy.from_settings({"*": {"urgent": 30}, "Billing": {"high": 120}}, 0.5)
    assert policy.target_minutes("Technical Support", "urgent") == 30
    assert policy.target_minutes("Technical Support", "normal") == DEFAULT_SLA_TARGETS["*"]["normal"]
    assert policy.target_minutes("Billing", "high") == 120
    assert policy.target_minutes("Billing", "low") == DEFAULT_SLA_TARGETS["*"]["low"]
    assert policy.at_risk_fraction == 0.5
    assert SlaPolicy.from_settings(None).targets == DEFAULT_SLA_TARGETS
