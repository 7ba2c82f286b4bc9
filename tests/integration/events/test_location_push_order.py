"""Pushes of one Location reach every EMSP in order (issue #18): one claim per fan-out, batches pushed at
once, a stale event dropped, a fan-out that must follow another waits for it, a PUT older than an EVSE
status the EMSPs have becomes the current Location. Against moto (the ephemeral table) with an
in-memory OCPI client; time is injected."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from mobie_hub.core.dynamodb import counting_calls
from mobie_hub.events import location_claims, location_push
from mobie_hub.events.location_claims import Claimed, Lease, Target
from mobie_hub.events.locations import location_events
from mobie_hub.locations.enums import Status
from mobie_hub.locations.inventory_repository import DynamoLocationStore
from mobie_hub.locations.models import MobieLocation
from mobie_hub.locations.registry import import_locations, import_tariffs
from mobie_hub.locations.repository import get_location, put_location
from mobie_hub.outbound import OutboundCallFailed
from mobie_hub.tariffs.registry_repository import DynamoTariffStore
from tests.support.parties import register_receiver
from tests.support.stations import location, tariff

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


class FakeClient:
    """The outbound client's put/patch: records each call per party; ``slow``/``down`` party ids answer
    late or fail."""

    def __init__(self, slow: dict[str, float] | None = None, down: set[str] = frozenset()) -> None:
        self.calls: list[tuple[str, str, str, dict]] = []
        self.slow, self.down = slow or {}, down
        self._lock = threading.Lock()

    def _call(self, method, party, path, body):
        time.sleep(self.slow.get(party.party_id, 0))
        with self._lock:
            self.calls.append((party.party_id, method, path, body))
        if party.party_id in self.down:
            raise OutboundCallFailed("503 from the EMSP", reachable=False, http_status=503)

    def put(self, party, module, path, body):
        self._call("PUT", party, path, body.model_dump(mode="json", exclude_none=True))

    def patch(self, party, module, path, body):
        self._call("PATCH", party, path, body)

    def received(self, party_id: str) -> list[tuple[str, str, dict]]:
        return [(method, path, body) for who, method, path, body in self.calls if who == party_id]


@pytest.fixture
def station(aws) -> MobieLocation:
    import_tariffs([tariff()], DynamoTariffStore())
    import_locations([location("LSB-00175")], DynamoLocationStore(), DynamoTariffStore())
    for party_id in ("EDP", "GLP"):
        register_receiver(f"https://{party_id.lower()}.test", party_id)
    return get_location("LSB-00175")


def with_status(current: MobieLocation, status: Status, at: datetime) -> MobieLocation:
    """``current`` with its first EVSE at ``status`` as of ``at`` (what the OCPP gateway writes)."""
    first = current.evses[0].model_copy(update={"status": status, "last_updated": at})
    return current.model_copy(update={"evses": [first, *current.evses[1:]], "last_updated": at})


def delivered_in_order(events, client, now=lambda: T0 + timedelta(minutes=5)):
    """Each event's whole fan-out (plan, then every batch), in the order given."""
    for event in events:
        planned = location_push.plan(event, now=now)
        for keys in planned.get("batches", []):
            location_push.push_batch(location_push.DomainEvent.model_validate(planned["event"]), keys,
                                     Lease(**planned["lease"]), client)


def test_two_status_events_of_one_evse_delivered_out_of_order_leave_every_emsp_with_the_newer(station):
    # Given an EVSE that started charging at 10:01 and finished at 10:02 (two writes, two events)
    charging = with_status(station, Status.CHARGING, T0 + timedelta(minutes=1))
    finished = with_status(charging, Status.AVAILABLE, T0 + timedelta(minutes=2))
    [older] = location_events(station, charging)
    [newer] = location_events(charging, finished)
    client = FakeClient()

    # When EventBridge delivers the newer one first
    delivered_in_order([newer, older], client)

    # Then each EMSP got the newer status alone: the older event was dropped as stale
    for party_id in ("EDP", "GLP"):
        assert [(m, body["status"]) for m, _, body in client.received(party_id)] == [("PATCH", "AVAILABLE")]


def test_a_repeated_event_is_pushed_once(station):
    [event] = location_events(station, with_status(station, Status.CHARGING, T0 + timedelta(minutes=1)))
    client = FakeClient()
    delivered_in_order([event, event], client)
    assert len(client.received("EDP")) == 1 and len(client.received("GLP")) == 1


def test_a_fanout_waits_for_the_one_under_way_and_patches_of_two_evses_go_side_by_side(station):
    now = T0 + timedelta(minutes=5)
    charging = with_status(station, Status.CHARGING, T0 + timedelta(minutes=1))
    [first] = location_events(station, charging)
    [second] = location_events(charging, with_status(charging, Status.AVAILABLE, T0 + timedelta(minutes=2)))
    other_evse = Target(location_push.target_of(first).location, station.evses[1].uid, "2026-12-01T10:03:00.000Z")

    # Given the first status's fan-out claimed and under way (two batches, none done)
    assert location_claims.claim(location_push.target_of(first), 2, now=now).claimed is Claimed.CLAIMED
    # Then a later status of the same EVSE waits, and so does a PUT of the Location
    assert location_push.plan(second, now=lambda: now) == {"next": "wait", "wait": location_push.WAIT_SECONDS}
    put = location_push.target_of(location_events(None, charging)[0])
    assert location_claims.claim(put, 1, now=now).claimed is Claimed.BUSY
    # but a status of another EVSE of the Location goes at once
    assert location_claims.claim(other_evse, 1, now=now).claimed is Claimed.CLAIMED
    # and once the lease has ended (a crashed batch), the waiting one goes
    assert "batches" in location_push.plan(second, now=lambda: now + timedelta(seconds=31))


def test_the_scope_is_free_again_once_every_batch_reported(station):
    now = T0 + timedelta(minutes=5)
    [first] = location_events(station, with_status(station, Status.CHARGING, T0 + timedelta(minutes=1)))
    later = Target(location_push.target_of(first).location, station.evses[0].uid, "2026-12-01T10:02:00.000Z")
    claimed = location_claims.claim(location_push.target_of(first), 2, now=now)
    location_claims.report(claimed.lease)
    assert location_claims.claim(later, 1, now=now).claimed is Claimed.BUSY  # one batch still pushing
    location_claims.report(claimed.lease)
    assert location_claims.claim(later, 1, now=now).claimed is Claimed.CLAIMED


def test_a_batch_that_names_itself_counts_once_however_often_it_reports(station):
    now = T0 + timedelta(minutes=5)
    [first] = location_events(station, with_status(station, Status.CHARGING, T0 + timedelta(minutes=1)))
    later = Target(location_push.target_of(first).location, station.evses[0].uid, "2026-12-01T10:02:00.000Z")
    lease = location_claims.claim(location_push.target_of(first), 2, now=now).lease
    # Given batch 0 reported by its task, then again by the workflow after the task crashed
    for _ in range(2):
        location_claims.report(Lease(lease.location, lease.scope, lease.holder, batch="0"))
    # Then batch 1 still holds the Location's order
    assert location_claims.claim(later, 1, now=now).claimed is Claimed.BUSY
    location_claims.report(Lease(lease.location, lease.scope, lease.holder, batch="1"))
    claimed = location_claims.claim(later, 1, now=now)
    assert claimed.claimed is Claimed.CLAIMED
    # And the next fan-out counts its own batches: its batch 0 is not the previous fan-out's
    location_claims.report(Lease(**claimed.lease.as_json(), batch="0"))
    latest = Target(later.location, later.scope, "2026-12-01T10:03:00.000Z")
    assert location_claims.claim(latest, 1, now=now).claimed is Claimed.CLAIMED


def test_a_put_older_than_a_pushed_status_becomes_the_current_location(station):
    # Given a name change at 10:01 (a PUT) and a status change at 10:02 (a PATCH, pushed first)
    renamed = station.model_copy(update={"name": "Novo nome", "last_updated": T0 + timedelta(minutes=1)})
    [put] = location_events(station, renamed)
    charging = with_status(renamed, Status.CHARGING, T0 + timedelta(minutes=2))
    [patch] = location_events(renamed, charging)
    put_location(charging)
    client = FakeClient()

    delivered_in_order([patch, put], client)

    # Then the late PUT went out as the Location is now: the new name and the newer status
    [first, (method, path, body)] = client.received("EDP")
    assert first[0] == "PATCH" and (method, path) == ("PUT", "PT/MOB/LSB-00175")
    assert body["name"] == "Novo nome" and body["evses"][0]["status"] == "CHARGING"


def test_a_batch_pushes_at_once_and_one_slow_or_failing_emsp_delays_and_fails_nobody_else(station):
    register_receiver("https://dwn.test", "DWN")
    [event] = location_events(station, with_status(station, Status.CHARGING, T0 + timedelta(minutes=1)))
    planned = location_push.plan(event, now=lambda: T0 + timedelta(minutes=5))
    [keys] = planned["batches"]
    client = FakeClient(slow={"EDP": 0.6, "GLP": 0.6}, down={"DWN"})

    started = time.monotonic()
    with counting_calls() as calls:
        outcomes = location_push.push_batch(event, keys, Lease(**planned["lease"]), client)
    elapsed = time.monotonic() - started

    assert elapsed < 1.1  # two 0.6 s answers side by side, not one after the other
    assert {o["party"]: o["ok"] for o in outcomes} == {
        "PARTY#EMSP#PT#EDP": True, "PARTY#EMSP#PT#GLP": True, "PARTY#EMSP#PT#DWN": False,
    }
    # one read of the parties for the whole batch, one write to report it done, and the failed
    # party's OFFLINE mark is the outbound client's (not called here: the fake has no observer)
    assert calls == {"Query": 1, "UpdateItem": 1}


def test_the_fanout_state_carries_party_keys_and_never_a_token(station):
    [event] = location_events(station, with_status(station, Status.CHARGING, T0 + timedelta(minutes=1)))
    planned = location_push.plan(event, now=lambda: T0 + timedelta(minutes=5))
    assert planned["batches"] == [["PARTY#EMSP#PT#EDP", "PARTY#EMSP#PT#GLP"]]
    assert "token" not in str(planned).lower()


def test_recipients_are_split_into_even_batches_of_at_most_the_batch_size():
    keys = [f"PARTY#EMSP#PT#E{n:02d}" for n in range(30)]
    batches = location_push._batches(keys)
    assert [len(b) for b in batches] == [15, 15] and sorted(k for b in batches for k in b) == keys
    assert location_push._batches([]) == [] and location_push._batches(keys[:3]) == [keys[:3]]


def test_the_version_is_the_hubs_last_updated_to_the_millisecond(station):
    at = T0 + timedelta(minutes=1, microseconds=250_000)
    [patch] = location_events(station, with_status(station, Status.CHARGING, at))
    [put] = location_events(None, with_status(station, Status.CHARGING, at))
    assert location_push.target_of(patch).version == "2026-12-01T10:01:00.250Z"
    assert location_push.target_of(put) == Target(
        "PT/MOB/LSB-00175", location_claims.WHOLE, "2026-12-01T10:01:00.250Z", tuple(e.uid for e in station.evses)
    )


def test_a_put_claim_stays_within_dynamodbs_4_kb_expression_limit_for_any_location():
    # The longest uids OCPI allows (CiString(36)); past MAX_EVSES_CHECKED EVSEs a PUT checks the Location only
    def length(evses: int) -> int:
        uids = tuple(f"PT*MOB*E{n:028d}" for n in range(evses))
        target = Target("PT/MOB/LSB-00175", location_claims.WHOLE, "2026-12-01T10:01:00.000Z", uids)
        names = location_claims._Names()
        condition = location_claims._condition(target, names)
        return len(condition.encode())

    assert length(location_claims.MAX_EVSES_CHECKED) < 4096
    assert length(location_claims.MAX_EVSES_CHECKED + 1) < length(2)
