"""A CDR is a bill: its POST is retried with a bounded backoff until the EMSP accepts it, then the
operator is told (cdrs/delivery.py, events.fanout.redeliver_due). Against moto and a fake EMSP on
loopback; time is an injected clock, never waited for."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mobie_hub.admin.registry import dispatch
from mobie_hub.cdrs import delivery
from mobie_hub.cdrs.models import MobieCdr
from mobie_hub.cdrs.repository import create_cdr
from mobie_hub.core.errors import NotFound
from mobie_hub.events.cdrs import cdr_events
from mobie_hub.events.fanout import push, redeliver_due
from mobie_hub.parties.repository import get_party
from tests.support.fake_party import fake_party
from tests.support.parties import register_receiver

CDR = Path(__file__).parents[2] / "unit/conformance/objects/cdr_private_station.json"
EDP = "PARTY#EMSP#PT#EDP"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def cdr(aws) -> MobieCdr:
    stored = MobieCdr.model_validate(json.loads(CDR.read_text()))
    assert create_cdr(stored)
    return stored


def first_push(cdr: MobieCdr, clock: Clock) -> dict:
    return push(cdr_events(None, cdr)[0], get_party(EDP), now=clock)


def test_a_cdr_the_emsp_refused_is_posted_again_after_the_backoff_until_it_is_accepted(cdr):
    clock = Clock()
    with fake_party() as emsp:
        register_receiver(emsp.base_url, "EDP", modules=("cdrs",))
        # Given the EMSP is down when the CDR is first pushed
        emsp.fail_with = 503
        outcome = first_push(cdr, clock)
        assert (outcome["ok"], outcome["delivery"], outcome["attempts"]) == (False, "PENDING", 1)
        # When the sweep runs before the first backoff has passed, nothing is sent
        clock.advance(seconds=59)
        assert redeliver_due(clock) == [] and len(emsp.received) == 1
        # And once it has passed (the EMSP is up again), the CDR is POSTed again and delivered
        emsp.fail_with = None
        clock.advance(seconds=1)
        [again] = redeliver_due(clock)
    assert (again["ok"], again["delivery"], again["attempts"]) == (True, "DELIVERED", 2)
    assert [(r.method, r.path, r.body["id"]) for r in emsp.received] == [
        ("POST", "/ocpi/emsp/2.2.1/cdrs", cdr.id)
    ] * 2
    assert delivery.get(cdr.id, EDP).status is delivery.DeliveryStatus.DELIVERED
    clock.advance(days=3)
    assert redeliver_due(clock) == []  # a delivered CDR is never sent again
    assert dispatch("cdrs.undelivered", {}) == {"count": 0, "deliveries": []}


def test_an_emsp_that_keeps_refusing_gets_a_bounded_number_of_attempts_then_the_operator_is_told(
    cdr, capsys
):
    clock = Clock()
    with fake_party() as emsp:
        register_receiver(emsp.base_url, "EDP", modules=("cdrs",))
        emsp.fail_with = 500
        first_push(cdr, clock)
        # When every backoff passes and every attempt fails
        for wait in delivery.BACKOFF:
            clock.advance(seconds=wait.total_seconds())
            [outcome] = redeliver_due(clock)
            assert outcome["ok"] is False
        # Then after MAX_ATTEMPTS the delivery is FAILED, counted for the alarm, and no sweep sends more
        assert (outcome["delivery"], outcome["attempts"]) == ("FAILED", delivery.MAX_ATTEMPTS)
        clock.advance(days=30)
        assert redeliver_due(clock) == []
        assert len(emsp.received) == delivery.MAX_ATTEMPTS
        assert sum(delivery.BACKOFF, timedelta(0)) == timedelta(hours=46, minutes=21)  # about two days
        assert '"CdrUndelivered"' in capsys.readouterr().out
        # And the operator's list names it, with the EMSP's last answer
        listed = dispatch("cdrs.undelivered", {})
        assert listed["count"] == 1
        [row] = listed["deliveries"]
        assert (row["cdr_id"], row["party"], row["status"], row["attempts"]) == (
            cdr.id, EDP, "FAILED", delivery.MAX_ATTEMPTS
        )
        assert "HTTP 500" in row["last_error"]
        # When the operator has settled it with the EMSP and asks for a new round
        emsp.fail_with = None
        assert dispatch("cdrs.redeliver", {"cdr_id": cdr.id})["parties"] == [EDP]
        [outcome] = redeliver_due(clock)
    # Then the next sweep delivers it, counted from one again, and it leaves the operator's list
    assert (outcome["ok"], outcome["delivery"], outcome["attempts"]) == (True, "DELIVERED", 1)
    assert len(emsp.received) == delivery.MAX_ATTEMPTS + 1
    assert dispatch("cdrs.undelivered", {})["count"] == 0
    with pytest.raises(NotFound, match="no undelivered delivery"):
        dispatch("cdrs.redeliver", {"cdr_id": cdr.id})  # a delivered CDR is never sent twice


def test_a_cdr_event_delivered_twice_posts_the_cdr_once(cdr):
    # EventBridge delivers at least once: a second CdrCreated for an accepted CDR must not bill twice
    clock = Clock()
    with fake_party() as emsp:
        register_receiver(emsp.base_url, "EDP", modules=("cdrs",))
        first = first_push(cdr, clock)
        again = first_push(cdr, clock)
    assert (first["ok"], first["delivery"]) == (True, "DELIVERED")
    assert (again["ok"], again["delivery"], again["attempts"]) == (True, "DELIVERED", 1)
    assert len(emsp.received) == 1


def test_a_push_that_crashed_midway_is_still_retried(cdr):
    clock = Clock()

    class Crashing:
        def post(self, *args, **kwargs):
            raise RuntimeError("the Lambda ran out of time")

    register_receiver("https://emsp.test", "EDP", modules=("cdrs",))
    with pytest.raises(RuntimeError):
        push(cdr_events(None, cdr)[0], get_party(EDP), Crashing(), now=clock)
    # The attempt was recorded before the POST, so the sweep finds it due after the first backoff
    clock.advance(minutes=1)
    assert [(d.cdr_id, d.attempts) for d in delivery.due(clock())] == [(cdr.id, 1)]
    assert dispatch("cdrs.undelivered", {})["deliveries"][0]["status"] == "PENDING"


def test_a_delivery_whose_emsp_is_gone_fails_its_attempts_without_a_call(cdr):
    clock = Clock()
    register_receiver("https://emsp.test", "EDP", modules=("cdrs",))

    class Refusing:
        def post(self, *args, **kwargs):
            from mobie_hub.outbound import OutboundCallFailed

            raise OutboundCallFailed("down", reachable=False)

    push(cdr_events(None, cdr)[0], get_party(EDP), Refusing(), now=clock)
    clock.advance(minutes=1)
    [outcome] = redeliver_due(clock, party=lambda key: None)
    assert (outcome["ok"], outcome["attempts"], outcome["error"]) == (
        False, 2, f"{EDP} is not a registered party"
    )


def test_the_scheduled_lambda_sweeps_due_deliveries_in_batches_while_its_time_lasts(aws):
    from mobie_hub.core.types import utcnow
    from tests.support.handlers import FakeContext, lambda_module

    module = lambda_module("cdr_redelivery")
    register_receiver("https://emsp.test", "EDP", modules=("cdrs",))
    # Given more due deliveries than one batch (their first attempt failed 10 minutes ago)
    earlier = utcnow() - timedelta(minutes=10)
    for n in range(module.BATCH + 2):
        stored = MobieCdr.model_validate(json.loads(CDR.read_text()) | {"id": f"CDR-{n}"})
        assert create_cdr(stored)
        delivery.finish(delivery.begin(stored.id, EDP, earlier), error="HTTP 503", party_label="EMSP PT/EDP")
    posted: list[str] = []

    class Accepting:
        def post(self, party, module_name, path, body, **kwargs):
            posted.append(body.id)

    from mobie_hub import outbound

    class Context(FakeContext):
        def __init__(self, remaining_ms: list[int]) -> None:
            self.remaining = remaining_ms

        def get_remaining_time_in_millis(self) -> int:
            return self.remaining.pop(0)

    outbound.use_client(Accepting())
    try:
        # When a run has time for one batch only, it sweeps one batch
        assert module.handler({}, Context([10**6, module.RESERVE_MS])) == {
            "attempted": module.BATCH, "delivered": module.BATCH
        }
        # And the next run sweeps the rest and stops when no batch is full
        assert module.handler({}, Context([10**6, 10**6])) == {"attempted": 2, "delivered": 2}
    finally:
        outbound.use_client(None)
    assert sorted(posted) == sorted(f"CDR-{n}" for n in range(module.BATCH + 2))
    assert dispatch("cdrs.undelivered", {})["count"] == 0
