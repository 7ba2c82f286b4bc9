"""The bus's rules, locally: the local pipeline routes by the rules' EventBridge patterns
(events.rules), matched as EventBridge matches them; the CDR creation takes the EMSP's completion only."""

from __future__ import annotations

import copy

import pytest

from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.fanout import FANOUT_EVENTS, OWNER_EVENTS
from mobie_hub.events.publisher import InProcessBus
from mobie_hub.events.rules import CDR_CREATION_PATTERN, FANOUT_PATTERN, OWNER_PATTERN
from mobie_hub.events.sessions import bills
from mobie_hub.local.event_patterns import Rule
from tests.support.events import load_event

OWNER = {"country_code": "PT", "party_id": "EDP"}


def completion(owner: object = OWNER, **envelope: object) -> DomainEvent:
    """The sample SessionCompleted (its owner names no role: an event from before issue #16), with
    ``owner`` in its detail (``...``: no owner at all)."""
    body = copy.deepcopy(load_event("eventbridge/session_completed.json", session_id="S1")["detail"])
    if owner is ...:
        del body["detail"]["owner"]
    else:
        body["detail"]["owner"] = owner
    return DomainEvent.model_validate(body | envelope)


@pytest.mark.parametrize(
    ("owner", "creates"),
    [
        ({**OWNER, "role": "EMSP"}, True),  # the token's EMSP: its completion bills
        ({**OWNER, "role": "CPO"}, False),  # the CPO's copy of the same completion: no invocation
        (OWNER, True),  # no role: an event from before issue #16, the EMSP's
        (..., True),  # no owner at all: the role is absent too (exists: false)
        ({}, True),
        (None, True),  # a null owner holds no role
    ],
)
def test_the_cdr_creation_rule_takes_the_emsps_completion_or_one_naming_no_role(owner, creates):
    event = completion(owner)
    assert Rule(CDR_CREATION_PATTERN).matches(event) is creates
    # The rule lets through exactly what the handler's own check bills (defence in depth)
    assert bills(event.detail) is creates


def test_a_null_role_is_a_field_present_as_in_eventbridge():
    # exists matches on the field's presence, whatever its value: a null role is not "no role"
    assert Rule(CDR_CREATION_PATTERN).matches(completion({**OWNER, "role": None})) is False


def test_the_cdr_creation_rule_takes_no_other_event_nor_another_source():
    rule = Rule(CDR_CREATION_PATTERN)
    assert rule.event_names == ("SessionCompleted",)
    assert not rule.matches(completion(OWNER, event_name="SessionUpdated"))


@pytest.mark.parametrize(("pattern", "names"), [(FANOUT_PATTERN, FANOUT_EVENTS), (OWNER_PATTERN, OWNER_EVENTS)])
def test_each_push_rule_takes_exactly_its_events(pattern, names):
    rule = Rule(pattern)
    assert rule.event_names == tuple(names)
    for name in (*FANOUT_EVENTS, *OWNER_EVENTS):
        assert rule.matches(completion({**OWNER, "role": "CPO"}, event_name=name)) is (name in names)


def test_a_rule_on_the_bus_hands_its_handler_the_matching_events_only():
    bus, seen = InProcessBus(), []
    rule = Rule(CDR_CREATION_PATTERN)
    bus.subscribe(rule.event_names, rule.target(seen.append))
    emsp, cpo = completion({**OWNER, "role": "EMSP"}), completion({**OWNER, "role": "CPO"})
    bus.publish([emsp, cpo, completion(OWNER)])
    bus.close()  # waits for the subscription's worker
    assert [e.detail["owner"].get("role") for e in seen] == ["EMSP", None]


@pytest.mark.parametrize(
    ("detail", "error"),
    [
        ({"role": [{"exist": False}]}, "unknown content filter"),  # moto would match every event
        ({"role": [{"exists": "no"}]}, "exists takes true or false"),
        ({"role": []}, "non-empty list"),
        ({"role": "EMSP"}, "non-empty list"),
        ({"$or": [{"role": ["EMSP"]}]}, "at least two patterns"),
        ({"$or": [{"role": ["EMSP"]}, {"owner": {"role": [{"prefixx": "E"}]}}]}, "detail.owner.role"),
    ],
)
def test_a_pattern_the_local_matcher_would_match_wrongly_fails_when_the_rule_is_made(detail, error):
    with pytest.raises(ValueError, match=error):
        Rule({"source": ["mobie-hub"], "detail": {"event_name": ["SessionCompleted"], **detail}})
