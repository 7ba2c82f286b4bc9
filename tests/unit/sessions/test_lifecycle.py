"""The session lifecycle as pure transitions: OCPP facts in, Session records out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from mobie_hub.ocpp.ports import IdTagDecision, TransactionStarted, TransactionStopped
from mobie_hub.sessions import lifecycle
from mobie_hub.sessions.models import SessionStatus
from mobie_hub.sessions.plausibility import Limits
from tests.support.ocpp_fakes import EDP_TOKEN

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
HUB = ("PT", "MOB")
LIMITS = Limits(max_power_w=22_000, max_duration=timedelta(hours=48))


def metered(record, readings, now):
    applied = lifecycle.metered(record, readings, now, LIMITS)
    return applied.record if applied else None


def stopped(record, facts, readings):
    return lifecycle.stopped(record, facts, readings, LIMITS).record


def start(status: str = "Accepted", token=EDP_TOKEN, meter_start: int = 1000) -> TransactionStarted:
    return TransactionStarted(
        transaction_id=7, station_id="LSB-00175", connector_id=1, evse_uid="LSB-00175-01",
        id_tag=token.uid if token else "UNKNOWN1", authorization=IdTagDecision(status, token),
        meter_start_wh=meter_start, timestamp=T0, received_at=T0 + timedelta(seconds=1), message_id="m1",
        connector="LSB-00175-01-01",
    )


def stop(meter_stop: int, minutes: float = 60) -> TransactionStopped:
    return TransactionStopped(
        transaction_id=7, station_id="LSB-00175", meter_stop_wh=meter_stop,
        timestamp=T0 + timedelta(minutes=minutes), received_at=T0 + timedelta(minutes=minutes, seconds=1),
        message_id="m9",
    )


def opened(**kwargs) -> lifecycle.SessionRecord:
    facts = start(**kwargs)
    return lifecycle.started(facts, "S1", HUB, facts.connector).record


def test_an_accepted_start_opens_an_active_session_owned_by_the_tokens_emsp():
    record = opened()
    session = record.session
    assert (session.status, session.kwh, session.currency, session.auth_method.value) == (
        SessionStatus.ACTIVE, Decimal(0), "EUR", "WHITELIST")
    assert (session.country_code, session.party_id, session.id) == ("PT", "MOB", "S1")
    assert (session.location_id, session.evse_uid, session.connector_id) == ("LSB-00175", "LSB-00175-01", "LSB-00175-01-01")
    assert session.cdr_token.contract_id == EDP_TOKEN.contract_id and session.cdr_token.party_id == "EDP"
    assert record.owner == ("PT", "EDP") and record.transaction_id == 7
    assert session.start_date_time == T0 and session.last_updated == T0 + timedelta(seconds=1)


def test_a_start_on_an_idtag_not_accepted_is_invalid_and_an_unknown_one_has_no_owner():
    blocked = opened(status="Blocked")
    assert blocked.status is SessionStatus.INVALID and "Blocked" in blocked.invalid_reason
    assert blocked.owner == ("PT", "EDP")  # the EMSP still hears about its blocked card being used
    unknown = opened(status="Invalid", token=None)
    assert unknown.status is SessionStatus.INVALID and unknown.owner is None
    assert unknown.session.cdr_token.uid == "UNKNOWN1"


def test_a_start_adopts_the_pending_session_of_a_start_session_command():
    pending = lifecycle.pending("P1", HUB, "LSB-00175", "LSB-00175-01", "LSB-00175-01-01", EDP_TOKEN, "AUTH-1", T0)
    assert pending.status is SessionStatus.PENDING and pending.meter is None
    adopted = lifecycle.started(start(), "ignored", HUB, "LSB-00175-01-01", adopting=pending).record
    assert (adopted.session.id, adopted.status, adopted.session.authorization_reference) == ("P1", SessionStatus.ACTIVE, "AUTH-1")
    assert adopted.transaction_id == 7 and adopted.owns(EDP_TOKEN)


def test_meter_values_update_kwh_and_periods_and_older_readings_change_nothing():
    record = opened()
    later = T0 + timedelta(minutes=30)
    updated = metered(record, [(Decimal(4000), later)], later)
    assert updated.session.kwh == Decimal(3) and len(updated.session.charging_periods) == 1
    assert updated.session.last_updated == later
    assert metered(updated, [(Decimal(3000), T0 + timedelta(minutes=10))], later) is None
    assert metered(updated, [], later) is None


def test_a_meter_going_backwards_makes_the_session_invalid_and_it_stays_invalid_at_the_stop():
    record = metered(opened(), [(Decimal(900), T0 + timedelta(minutes=5))], T0 + timedelta(minutes=5))
    assert record.status is SessionStatus.INVALID and "900" in record.invalid_reason
    ended = stopped(record, stop(5000), [])
    assert ended.status is SessionStatus.INVALID and ended.session.end_date_time == T0 + timedelta(minutes=60)


def test_a_stop_completes_the_session_with_final_kwh_and_periods_covering_it():
    charged = metered(opened(), [(Decimal(6000), T0 + timedelta(minutes=30))], T0 + timedelta(minutes=30))
    ended = stopped(charged, stop(6000), [])
    session = ended.session
    assert (session.status, session.kwh, session.end_date_time) == (SessionStatus.COMPLETED, Decimal(5), T0 + timedelta(minutes=60))
    assert [p.dimensions[1].type.value for p in session.charging_periods] == ["TIME", "PARKING_TIME"]
    assert session.charging_periods[1].start_date_time == T0 + timedelta(minutes=30)


def test_a_stop_timed_before_the_start_is_invalid():
    ended = stopped(opened(), stop(2000, minutes=-5), [])
    assert ended.status is SessionStatus.INVALID and "before the start" in ended.invalid_reason


def test_a_failed_start_session_invalidates_the_pending_session():
    pending = lifecycle.pending("P1", HUB, "LSB-00175", "LSB-00175-01", "LSB-00175-01-01", EDP_TOKEN, None, T0)
    failed = lifecycle.invalidated(pending, "station rejected", T0 + timedelta(seconds=30))
    assert failed.status is SessionStatus.INVALID and failed.session.last_updated == T0 + timedelta(seconds=30)
