"""Session pushes and CDR creation: sessions/cdrs table streams (moto) → events → fan-out → fake
EMSPs over real HTTP on loopback; CDRs created exactly once, with a stand-in CDR builder."""

from __future__ import annotations

from mobie_hub.cdrs import repository as cdrs
from mobie_hub.cdrs.builder import build_cdr
from mobie_hub.cdrs.creation import Outcome, create_cdr_for
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.sessions import SESSION_COMPLETED
from mobie_hub.locations.repository import get_location
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions import transaction_repository as transactions
from mobie_hub.sessions.models import Session
from tests.integration.sessions.conftest import charge
from tests.support.fake_party import fake_party
from tests.support.parties import register_receiver

MODULES = ("sessions", "cdrs")


def session_id_of(transaction_id: int) -> str:
    return transactions.get_transaction(transaction_id)["session_id"]


def create_cdrs(events: list[DomainEvent]) -> list[Outcome]:
    """What the EventBridge rule → functions/cdr_creation does, for every completion seen."""
    return [create_cdr_for(e.detail["session_id"]) for e in events if e.event_name == SESSION_COMPLETED]


def test_the_owning_emsp_gets_a_put_patches_and_the_completion_and_nobody_else_does(station, clock, pipeline):
    with fake_party() as edp, fake_party() as glp:
        register_receiver(edp.base_url, "EDP", modules=MODULES)
        register_receiver(glp.base_url, "GLP", modules=MODULES)  # exposes sessions, but owns no token here

        transaction_id = charge(station, clock, after=pipeline)
        events, outcomes = pipeline()

        session_id = session_id_of(transaction_id)
        # the readings update the running meter on the TX item: its writes are the PATCHes' events
        assert [e.event_name for e in events] == ["SessionStarted", "SessionMetered", "SessionMetered", "SessionCompleted"]
        assert all(o["ok"] and o["party"] == "PARTY#EMSP#PT#EDP" for o in outcomes)
        assert glp.received == []
        methods = [(r.method, r.path) for r in edp.received]
        path = f"/ocpi/emsp/2.2.1/sessions/PT/MOB/{session_id}"
        assert methods == [("PUT", path), ("PATCH", path), ("PATCH", path), ("PATCH", path)]
        put = Session.model_validate(edp.received[0].body)
        assert (put.id, put.status.value, put.kwh) == (session_id, "ACTIVE", 0)
        assert all("last_updated" in r.body for r in edp.received[1:])
        assert edp.received[1].body["kwh"] == 3 and "charging_periods" in edp.received[1].body
        assert edp.received[3].body["status"] == "COMPLETED" and edp.received[3].body["end_date_time"] == "2026-11-23T09:45:00Z"


def test_a_completed_session_gets_one_cdr_even_when_the_completion_is_delivered_twice(station, clock, pipeline):
    with fake_party() as edp:
        register_receiver(edp.base_url, "EDP", modules=MODULES)
        transaction_id = charge(station, clock)
        events, _ = pipeline()

        # When the completion event is delivered twice (EventBridge is at-least-once)
        assert create_cdrs(events + events) == [Outcome.CREATED, Outcome.EXISTS]
        seen = len(events)
        events, _ = pipeline()

        # Then one CDR, POSTed once to the owner's cdrs receiver
        session_id = session_id_of(transaction_id)
        cdr = cdrs.get_cdr(cdrs.cdr_id_for(session_id))
        assert cdr.session_id == session_id and cdr.total_energy == 6
        assert [e.event_name for e in events[seen:]] == ["CdrCreated"]
        posts = [r for r in edp.received if r.method == "POST"]
        assert [(r.path, r.body["id"]) for r in posts] == [("/ocpi/emsp/2.2.1/cdrs", cdr.id)]
        assert posts[0].body["mobie_cdr_extension"]["total_excl_vat"] == posts[0].body["total_cost"]["excl_vat"] > 0


def test_two_creators_racing_still_store_one_cdr(station, clock):
    transaction_id = charge(station, clock)
    session = sessions.get_session(session_id_of(transaction_id))
    cdr = build_cdr(session, get_location("LSB-00175"), [], cdr_id=session.id, now=session.last_updated)
    assert cdrs.create_cdr(cdr) is True
    assert cdrs.create_cdr(cdr) is False  # the conditional Put is the guard, not the read before it


def test_invalid_sessions_get_no_cdr(station, clock, pipeline):
    transaction_id = charge(station, clock, id_tag="DEADBEEF")
    session_id = session_id_of(transaction_id)
    assert create_cdr_for(session_id) is Outcome.NOT_BILLABLE
    assert cdrs.get_cdr(cdrs.cdr_id_for(session_id)) is None
    events, _ = pipeline()
    assert events == []  # no owner: nothing is pushed to anyone


def test_an_emsp_down_during_a_push_loses_nothing_the_session_stays_readable(station, clock, pipeline, client):
    from tests.support.parties import issue

    with fake_party() as edp:
        edp.fail_with = 503
        register_receiver(edp.base_url, "EDP", modules=MODULES)
        transaction_id = charge(station, clock, after=pipeline)
        _, outcomes = pipeline()

        assert outcomes and all(not o["ok"] and "503" in o["error"] for o in outcomes)
        assert len(edp.received) == 4  # one attempt per event, no retry
    emsp = issue("C", party_id="EDP")
    answer = client.get("/ocpi/2.2.1/sessions", params={"date_from": "2026-01-01T00:00:00Z"}, headers=emsp.headers)
    assert [s["id"] for s in answer.json()["data"]] == [session_id_of(transaction_id)]
