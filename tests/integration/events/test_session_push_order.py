"""Pushes of one session reach its owner in order (issue #18): a stale or repeated push is dropped, a
PATCH the EMSP refuses as unknown is followed by the whole session, a coalescible update is throttled
and its data still arrives (the recheck sweep), a push that meets another under way waits or is
rechecked. Against moto (the ephemeral table) with an in-memory OCPI client; time is injected."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from mobie_hub.events import push_state
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.fanout import owner_key, push, push_to_owner, resync_due
from mobie_hub.events.sessions import SESSION_RESYNC, session_events
from mobie_hub.outbound import OutboundCallFailed
from mobie_hub.parties.repository import get_party
from mobie_hub.sessions.models import SessionStatus
from tests.support.parties import register_receiver
from tests.unit.sessions.test_lifecycle import T0, opened

EDP = "PARTY#EMSP#PT#EDP"
PATH = "PT/MOB/S1"


class FakeClient:
    """The outbound client's put/patch: records each call; ``refuse_patch`` answers a PATCH like an EMSP
    that does not know the session (HTTP 404, OCPI 2001)."""

    def __init__(self, refuse_patch: bool = False) -> None:
        self.calls: list[tuple[str, str, dict]] = []
        self.refuse_patch = refuse_patch

    def put(self, party, module, path, body):
        self.calls.append(("PUT", path, body.model_dump(mode="json", exclude_none=True)))

    def patch(self, party, module, path, body):
        self.calls.append(("PATCH", path, body))
        if self.refuse_patch:
            raise OutboundCallFailed("unknown session", reachable=True, http_status=404, ocpi_status=2001)


@pytest.fixture
def edp(aws):
    register_receiver("https://edp.test", "EDP", modules=("sessions",))
    return get_party(EDP)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def states(*minutes_kwh: tuple[float, str], status: SessionStatus = SessionStatus.ACTIVE):
    """The session S1 at each (minute, kWh) after its start at T0."""
    first = opened().session
    return [first] + [
        first.model_copy(update={"kwh": Decimal(kwh), "last_updated": at(m), "status": status})
        for m, kwh in minutes_kwh
    ]


def events(sessions, interval: int = 0) -> list[DomainEvent]:
    """The events of each write after the one before it (interval 0: nothing coalesced)."""
    out = []
    for old, new in zip([None, *sessions], sessions, strict=False):
        out.extend(session_events(old, new, "PT#EDP", interval=interval))
    return out


def now_at(minutes: float):
    return lambda: at(minutes)


def test_an_older_push_after_a_newer_one_and_a_repeated_push_are_dropped(edp):
    started, first, second = events(states((5, "1"), (10, "2")))
    client = FakeClient()
    # Given the EMSP got the start and then the second update (EventBridge delivered them out of order)
    assert push(started, edp, client, now=now_at(0))["ok"]
    assert push(second, edp, client, now=now_at(10))["ok"]
    # When the first update, older, arrives after it, and the second again (at least once delivery)
    late = push(first, edp, client, now=now_at(10))
    again = push(second, edp, client, now=now_at(10))
    # Then neither reaches the EMSP: it never sees 1 kWh after 2 kWh
    assert late["skipped"] == again["skipped"] == "stale"
    assert [(m, b.get("kwh")) for m, _, b in client.calls] == [("PUT", 0), ("PATCH", 2)]


def test_a_patch_carries_the_whole_state_so_a_dropped_update_loses_nothing(edp):
    started, _, second = events(states((5, "1"), (10, "2")))
    client = FakeClient()
    push(started, edp, client, now=now_at(0))
    push(second, edp, client, now=now_at(10))
    [_, (method, path, body)] = client.calls
    assert (method, path) == ("PATCH", PATH)
    assert body["kwh"] == 2 and body["status"] == "ACTIVE" and body["last_updated"] == "2026-11-23T09:10:00Z"


def test_a_patch_refused_as_unknown_is_followed_by_the_whole_session(edp):
    _, update = events(states((5, "1")))
    client = FakeClient(refuse_patch=True)
    outcome = push(update, edp, client, now=now_at(5))
    assert outcome["ok"] is True
    assert [(m, p) for m, p, _ in client.calls] == [("PATCH", PATH), ("PUT", PATH)]
    put = client.calls[1][2]
    assert put["id"] == "S1" and put["kwh"] == 1 and put["status"] == "ACTIVE"


def test_a_coalescible_update_within_the_interval_is_rechecked_not_pushed(edp):
    sessions = states((1, "1"), (2, "2"))
    started, first, _ = events(sessions)
    client = FakeClient()
    push(started, edp, client, now=now_at(0))
    # Given a PUT at 09:00 and an interval of 5 minutes, an update at 09:01 (same window) is held back
    held = push(first, edp, client, now=now_at(1))
    assert held == {"event_name": "SessionUpdated", "party": EDP, "ok": True, "deferred": "THROTTLED",
                    "version": "2026-11-23T09:01:00.000Z"}
    assert len(client.calls) == 1
    # and the recheck is due when the window ends (the same one the PUT asked for: one queue item)
    [(_, due)] = push_state.due(at(6))
    assert (due.object, due.party, due.owner) == ("SESSION#S1", EDP, {"country_code": "PT", "party_id": "EDP", "role": "EMSP"})
    assert push_state.due(at(5)) == []
    # A state change is never held back: INVALID at 09:02 goes at once
    [invalid] = events([sessions[1], sessions[2].model_copy(update={"status": SessionStatus.INVALID})])[1:]
    assert push(invalid, edp, client, now=now_at(2))["ok"] and client.calls[-1][2]["status"] == "INVALID"


def store(session, revision: int = 0) -> None:
    """The session as the sessions table holds it (what a resync reads); ``revision``: the writes before."""
    from dataclasses import replace

    from mobie_hub.core import transact
    from mobie_hub.sessions.repository import put_action

    transact.write([put_action(replace(opened(), session=session, revision=revision))])


def test_the_sweep_pushes_the_last_coalesced_state_when_no_write_follows(edp):
    sessions = states((1, "1"), (4, "4.5"))
    # Given updates at 09:01 and 09:04, inside the start's 5-minute window: coalesced, no event
    [started] = events(sessions, interval=300)
    store(sessions[-1])
    client, published = FakeClient(), []
    push(started, edp, client, now=now_at(0))
    # When the meter values stop and the sweep runs: nothing before the recheck is due, then a resync
    assert resync_due(published.extend, now=now_at(4)) == {"due": 0, "published": 0}
    assert resync_due(published.extend, now=now_at(6)) == {"due": 1, "published": 1}
    [resync] = published
    assert resync.event_name == SESSION_RESYNC and owner_key(resync) == EDP
    # Then the owner workflow pushes the state as it is now: the last kWh reaches the EMSP
    outcome = push_to_owner(resync, get_party, client, now=now_at(6))
    assert outcome["ok"] and client.calls[-1][0] == "PATCH" and client.calls[-1][2]["kwh"] == 4.5
    # and, the window being over, nothing more is asked for
    assert resync_due(published.extend, now=now_at(20)) == {"due": 0, "published": 0}
    assert len(published) == 1


def test_a_state_change_meeting_a_push_under_way_waits_for_it_then_is_rechecked(edp):
    _, update, done = events(states((5, "1"), (6, "2")))
    done = done.model_copy(update={"detail": {**done.detail, "coalescible": False}})
    client, slept = FakeClient(), []
    # Given another push of the session holds its lease (claimed 09:04:59, not yet released)
    assert push_state.claim("SESSION#S1", EDP, "2026-11-23T09:04:59.000Z", now=at(6)).claim is push_state.Claim.CLAIMED
    # When a state change is pushed, it waits for the lease a few times, then leaves a recheck
    outcome = push(done, edp, client, now=now_at(6), sleep=slept.append)
    assert slept == [0.5, 1.0, 2.0] and outcome["deferred"] == "BUSY" and client.calls == []
    [(_, due)] = push_state.due(at(6) + timedelta(seconds=push_state.LEASE_SECONDS + 15))
    assert due.object == "SESSION#S1"
    # A coalescible update meeting the lease does not wait at all
    slept.clear()
    assert push(update, edp, client, now=now_at(6), sleep=slept.append)["deferred"] == "BUSY" and slept == []


def test_a_metering_session_gets_one_patch_a_window_and_its_last_kwh_when_the_meter_stops(edp):
    # Given a session metered every 60.2 s for 18 minutes (kWh = minutes), then silent, with a 5-minute
    # interval; the converter, the owner push and the minute sweep run as they would, in time order
    first = opened().session.model_copy(update={"last_updated": T0 + timedelta(seconds=0.3)})
    writes = [first] + [
        first.model_copy(update={"kwh": Decimal(n), "last_updated": T0 + timedelta(seconds=0.3 + 60.2 * n)})
        for n in range(1, 19)
    ]
    client, bus = FakeClient(), []
    minute = T0
    for revision, (old, new) in enumerate(zip([None, *writes], writes, strict=False)):
        while minute + timedelta(minutes=1) <= new.last_updated:  # the sweeps before this write
            minute += timedelta(minutes=1)
            resync_due(bus.extend, now=lambda at=minute: at)
        for event in session_events(old, new, "PT#EDP", interval=300) + bus:
            push_to_owner(event, get_party, client, now=lambda at=new.last_updated: at)
        bus.clear()
        store(new, revision)
    for _ in range(10):  # the meter stops: ten more minutes of sweeps
        minute += timedelta(minutes=1)
        resync_due(bus.extend, now=lambda at=minute: at)
        for event in bus:
            push_to_owner(event, get_party, client, now=lambda at=minute: at)
        bus.clear()
    # Then the EMSP got the PUT, one PATCH in each 5-minute window (its first write: 09:05, 09:10, 09:15)
    # and, after the window the meter stopped in (09:15-09:20), that window's last kWh
    assert [(m, b["kwh"]) for m, _, b in client.calls] == [("PUT", 0), ("PATCH", 5), ("PATCH", 10), ("PATCH", 15),
                                                          ("PATCH", 18)]


class ReceivingEmsp(FakeClient):
    """An EMSP that keeps the sessions it was PUT and refuses a PATCH of one it does not know."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: dict[str, dict] = {}

    def put(self, party, module, path, body):
        super().put(party, module, path, body)
        self.sessions[path] = self.calls[-1][2]

    def patch(self, party, module, path, body):
        self.calls.append(("PATCH", path, body))
        if path not in self.sessions:
            raise OutboundCallFailed("unknown session", reachable=True, http_status=404, ocpi_status=2001)
        self.sessions[path] |= body


def test_a_patch_that_overtakes_its_put_leaves_the_emsp_with_the_newest_whole_session(edp):
    started, update = events(states((5, "1.5")))
    emsp = ReceivingEmsp()
    # When the update's execution runs before the start's (one execution per event)
    assert push(update, edp, emsp, now=now_at(5))["ok"]
    late_start = push(started, edp, emsp, now=now_at(5))
    # Then the EMSP, which did not know the session, got it whole with the update, and the late PUT
    # of the older state was dropped: it holds the newest state
    assert [m for m, _, _ in emsp.calls] == ["PATCH", "PUT"] and late_start["skipped"] == "stale"
    assert emsp.sessions[PATH]["kwh"] == 1.5 and emsp.sessions[PATH]["last_updated"] == "2026-11-23T09:05:00Z"
