"""functions/cdr_creation: the EventBridge rule's target, fed a real-shaped SessionCompleted event."""

from __future__ import annotations

from mobie_hub.cdrs import repository as cdrs
from mobie_hub.sessions import transaction_repository as transactions
from tests.integration.sessions.conftest import charge
from tests.support.events import load_event
from tests.support.handlers import FakeContext, lambda_module


def test_a_completion_event_delivered_twice_creates_the_cdr_once(station, clock):
    session_id = transactions.get_transaction(charge(station, clock))["session_id"]
    event = load_event("eventbridge/session_completed.json", session_id=session_id)
    handler = lambda_module("cdr_creation").handler

    assert handler(event, FakeContext()) == {"session_id": session_id, "outcome": "created"}
    assert handler(event, FakeContext()) == {"session_id": session_id, "outcome": "exists"}
    assert cdrs.get_cdr(cdrs.cdr_id_for(session_id)).session_id == session_id


def test_an_event_for_an_unknown_session_creates_nothing(aws):
    event = load_event("eventbridge/session_completed.json", session_id="no-such-session")
    assert lambda_module("cdr_creation").handler(event, FakeContext())["outcome"] == "unknown"
