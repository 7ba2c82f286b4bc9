"""The AWS push path to an object's owner, executed: moto runs the real owner workflow
(infra/constructs/push_owner.asl.json), whose one task runs the real functions/push handler in-process
against fake EMSPs on loopback; and the sweep that puts due session rechecks back on the bus."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest

from tests.integration.events.push_workflows import OWNER, bus_event, run
from tests.support.events import load_event
from tests.support.fake_party import fake_party
from tests.support.handlers import FakeContext, lambda_module
from tests.support.lambda_runtime import executing_aws, state_machine_of
from tests.support.parties import register_receiver


@pytest.fixture
def aws() -> Iterator[None]:
    """moto with Step Functions really executing state machines (overrides the plain `aws` fixture)."""
    with executing_aws():
        yield


@pytest.fixture
def owner_push(aws) -> str:
    return state_machine_of("push_owner.asl.json", {"OwnerPushFunctionArn": OWNER})


def test_a_cdr_the_emsp_refused_in_the_workflow_is_left_due_for_the_redelivery_sweep(owner_push):
    # Issue #17 item 12: the AWS path records a CDR's delivery, so the scheduled sweep retries it.
    from datetime import timedelta

    from mobie_hub.cdrs import delivery
    from mobie_hub.cdrs.models import MobieCdr
    from mobie_hub.cdrs.repository import create_cdr
    from mobie_hub.core.types import utcnow
    from mobie_hub.events.cdrs import cdr_events
    from tests.integration.cdrs.test_delivery import CDR

    cdr = MobieCdr.model_validate(json.loads(CDR.read_text()))  # owned by PT/EDP
    assert create_cdr(cdr)
    envelope = cdr_events(None, cdr)[0]
    with fake_party() as edp:
        register_receiver(edp.base_url, "EDP", modules=("cdrs",))
        edp.fail_with = 503
        outcome, calls = run(owner_push, bus_event(envelope))
    # One task, no recipients Lambda (issue #18)
    assert [name for name, _ in calls] == [OWNER]
    assert (outcome["ok"], outcome["delivery"], outcome["attempts"]) == (False, "PENDING", 1)
    assert [r.path for r in edp.received] == ["/ocpi/emsp/2.2.1/cdrs"]
    due = delivery.due(utcnow() + timedelta(minutes=1))
    assert [(d.cdr_id, d.party, d.attempts) for d in due] == [(cdr.id, "PARTY#EMSP#PT#EDP", 1)]


def test_a_session_event_is_pushed_to_its_owner_alone_by_one_task(owner_push):
    from mobie_hub.events.sessions import session_events
    from tests.unit.sessions.test_lifecycle import opened

    [started] = session_events(None, opened().session, "PT#EDP")
    with fake_party() as edp, fake_party() as glp:
        register_receiver(edp.base_url, "EDP", modules=("sessions",))
        register_receiver(glp.base_url, "GLP", modules=("sessions",))  # exposes sessions, owns nothing here
        outcome, calls = run(owner_push, bus_event(started))
        # The same event again (EventBridge is at least once; moto runs one execution a test): dropped
        again = lambda_module("push").owner(bus_event(started), FakeContext())
    assert [name for name, _ in calls] == [OWNER]
    assert outcome["ok"] and outcome["party"] == "PARTY#EMSP#PT#EDP"
    assert [(r.method, r.path) for r in edp.received] == [("PUT", "/ocpi/emsp/2.2.1/sessions/PT/MOB/S1")]
    assert glp.received == [] and again["skipped"] == "stale"


def test_an_owner_push_that_crashes_is_reported_and_the_run_still_succeeds(owner_push):
    def crashing(event, context):
        raise RuntimeError("the Lambda ran out of time")

    output, _ = run(owner_push, load_event("eventbridge/session_completed.json", session_id="S1"), push=crashing)
    assert output == {"event_name": "SessionCompleted", "ok": False, "error": "RuntimeError"}


def test_an_owner_without_a_receiver_is_an_empty_successful_run(owner_push):
    output, calls = run(owner_push, load_event("eventbridge/session_completed.json", session_id="S1"))
    assert output == {"event_name": "SessionCompleted", "party": "PARTY#EMSP#PT#EDP", "ok": True,
                      "skipped": "no registered receiver"}
    assert [name for name, _ in calls] == [OWNER]


def test_the_push_sweep_lambda_puts_a_resync_on_the_stacks_bus_for_a_changed_session(aws, monkeypatch):
    # functions/push handler.resync, on its schedule: one due recheck of a session that changed since
    # its owner's last push → one SessionResync event on the bus named in MOBIE_EVENT_BUS_NAME.
    from mobie_hub.core.settings import get_settings
    from mobie_hub.events import push_state
    from tests.integration.events.test_session_push_order import at, states, store

    boto3.client("events").create_event_bus(Name="MobieHub-events")
    monkeypatch.setenv("MOBIE_EVENT_BUS_NAME", "MobieHub-events")
    get_settings.cache_clear()
    store(states((4, "4.5"))[-1])
    push_state.claim("SESSION#S1", "PARTY#EMSP#PT#EDP", "2026-11-23T09:00:00.000Z", now=at(0))
    push_state.recheck("SESSION#S1", "PARTY#EMSP#PT#EDP", {"country_code": "PT", "party_id": "EDP"}, at(5))

    class Context(FakeContext):
        def get_remaining_time_in_millis(self) -> int:
            return 50_000

    assert lambda_module("push").resync({}, Context()) == {"due": 1, "published": 1}
    assert lambda_module("push").resync({}, Context()) == {"due": 0, "published": 0}  # done
