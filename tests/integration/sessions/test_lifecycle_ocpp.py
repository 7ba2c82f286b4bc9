"""OCPP messages → OCPI Sessions in DynamoDB (moto), through the real gateway and repositories."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mobie_hub.core.dynamodb import counting_calls, table
from mobie_hub.core.models import dump_ocpi
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions import running_meter
from mobie_hub.sessions import transaction_repository as transactions
from mobie_hub.sessions.models import SessionStatus
from tests.integration.sessions.conftest import RFID, charge, meter
from tests.support.ocpp_data import STATION_ID
from tests.support.ocpp_fakes import EDP_TOKEN

EVSE = f"{STATION_ID}-01"


def session_of(transaction_id: int):
    return sessions.get_record(transactions.get_transaction(transaction_id)["session_id"])


def test_an_rfid_charge_opens_updates_and_completes_one_session(station, clock):
    # Given an accepted RFID, When the station starts, meters twice and stops
    transaction_id = charge(station, clock)
    # Then one COMPLETED session with the final energy and consecutive periods
    record = session_of(transaction_id)
    doc = dump_ocpi(record.session)
    assert doc["status"] == "COMPLETED" and doc["kwh"] == 6
    assert (doc["start_date_time"], doc["end_date_time"]) == ("2026-11-23T09:00:00Z", "2026-11-23T09:45:00Z")
    assert [p["dimensions"] for p in doc["charging_periods"]] == [
        [{"type": "ENERGY", "volume": 6}, {"type": "TIME", "volume": 0.5}],
        [{"type": "ENERGY", "volume": 0}, {"type": "PARKING_TIME", "volume": 0.25}],
    ]
    assert (doc["location_id"], doc["evse_uid"], doc["connector_id"]) == (STATION_ID, EVSE, f"{EVSE}-01")
    assert doc["cdr_token"]["uid"] == RFID and record.owner == ("PT", "EDP")
    # and the OCPP facts are still recorded beside it
    assert transactions.get_transaction(transaction_id)["status"] == "STOPPED"
    assert len(transactions.meter_items(transaction_id)) == 2


def test_retransmitted_messages_apply_nothing_twice(station, clock):
    start = {"connectorId": 1, "idTag": RFID, "meterStart": 0, "timestamp": "2026-11-23T09:00:00Z"}
    first = station.call("StartTransaction", start, message_id="start-1")
    again = station.call("StartTransaction", start, message_id="start-1")
    assert again[2] == first[2]
    assert len(sessions._on_evse(STATION_ID, EVSE, 10)) == 1
    transaction_id = first[2]["transactionId"]
    values = {"connectorId": 1, "transactionId": transaction_id, "meterValue": [meter(2000, "2026-11-23T09:10:00Z")]}
    station.call("MeterValues", values, message_id="mv-1")
    revision = session_of(transaction_id).revision
    station.call("MeterValues", values, message_id="mv-1")
    assert session_of(transaction_id).revision == revision


def test_a_remote_start_adopts_the_pending_session(station, clock):
    # Given a START_SESSION accepted by the station: a PENDING session on the EVSE
    pending = sessions.open_pending_session(STATION_ID, EVSE, f"{EVSE}-01", EDP_TOKEN, "AUTH-REF-1")
    assert sessions.get_session(pending.id).status is SessionStatus.PENDING
    # When the station starts a transaction on that EVSE with that token
    transaction_id = charge(station, clock, stop_wh=None)
    # Then the pending session becomes ACTIVE, same id, with the authorization reference
    record = session_of(transaction_id)
    assert (record.session.id, record.status) == (pending.id, SessionStatus.ACTIVE)
    assert record.session.authorization_reference == "AUTH-REF-1"
    assert sessions.active_session_on_evse(STATION_ID, EVSE).id == pending.id


def test_a_failed_start_session_leaves_an_invalid_session_not_a_pending_one(aws):
    pending = sessions.open_pending_session(STATION_ID, EVSE, f"{EVSE}-01", EDP_TOKEN, None)
    assert sessions.invalidate_pending_session(pending.id) is True
    assert sessions.get_session(pending.id).status is SessionStatus.INVALID
    assert sessions.invalidate_pending_session(pending.id) is False  # not pending any more
    assert sessions.invalidate_pending_session("no-such-session") is False


def test_a_charge_on_an_unknown_idtag_is_an_invalid_session_nobody_lists(station, clock):
    transaction_id = charge(station, clock, id_tag="DEADBEEF")
    record = session_of(transaction_id)
    assert record.status is SessionStatus.INVALID and record.owner is None
    assert record.session.end_date_time is not None  # still completed in time, never billed


def test_a_meter_going_backwards_makes_the_session_invalid(station, clock):
    transaction_id = charge(station, clock, readings=((4000, 15), (3000, 30)), stop_wh=5000)
    record = session_of(transaction_id)
    assert record.status is SessionStatus.INVALID and "went from 4000" in record.invalid_reason
    assert record.session.kwh == Decimal(4)  # the faulty reading is left out; the stop still counts


def test_the_evse_lookups_for_commands_find_the_active_and_the_last_session(station, clock):
    with counting_calls() as calls:  # gsi2 is keys-only: no session, no item read
        assert sessions.active_session_on_evse(STATION_ID, EVSE) is None
    assert dict(calls) == {"Query": 1}
    assert sessions.last_session_on_evse(STATION_ID, EVSE) is None
    transaction_id = charge(station, clock, stop_wh=None)
    with counting_calls() as calls:  # the keys, then the sessions they name
        active = sessions.active_session_on_evse(STATION_ID, EVSE)
    assert dict(calls) == {"Query": 1, "BatchGetItem": 1}
    assert active.id == session_of(transaction_id).session.id
    clock.advance(60)
    station.call("StopTransaction", {"transactionId": transaction_id, "meterStop": 7000,
                                     "timestamp": "2026-11-23T09:45:00Z"})
    assert sessions.active_session_on_evse(STATION_ID, EVSE) is None
    last = sessions.last_session_on_evse(STATION_ID, EVSE)
    assert last.id == active.id and last.end_date_time is not None


def test_a_stop_of_a_transaction_the_hub_never_started_is_kept_as_facts_only(station):
    answer = station.call("StopTransaction", {"transactionId": 4242, "meterStop": 10, "timestamp": "2026-11-23T09:45:00Z"})
    assert answer[0] == 3
    assert transactions.get_transaction(4242)["status"] == "STOPPED"
    assert sessions.last_session_on_evse(STATION_ID, EVSE) is None


@pytest.fixture
def sampled_every_minute(monkeypatch):
    """Several readings a push window: transactions keep their running meter on the TX item."""
    from mobie_hub.core.settings import get_settings

    monkeypatch.setenv("MOBIE_OCPP_METER_SAMPLE_INTERVAL", "60")
    get_settings.cache_clear()


def test_two_meter_values_racing_on_the_session_lose_no_update(station, clock, monkeypatch):
    # Given an active session whose meter the Session holds (a transaction started before its TX item
    # kept the running meter), and a MeterValues whose handler read the session before another one wrote
    transaction_id = charge(station, clock, readings=(), stop_wh=None)
    table("sessions").update_item(
        Key=transactions.tx_key(transaction_id),
        UpdateExpression="REMOVE meter, meter_seq, meter_updated, meter_window, session_status")
    stale = session_of(transaction_id)
    station.call("MeterValues", {"connectorId": 1, "transactionId": transaction_id,
                                 "meterValue": [meter(1000, "2026-11-23T09:10:00Z")]})  # not charging yet
    reads = iter([stale])
    real_read = sessions.get_stored_record
    monkeypatch.setattr(sessions, "get_stored_record", lambda session_id: next(reads, None) or real_read(session_id))
    # When the slower one writes: its conditional write fails, so it reads again and re-applies
    station.call("MeterValues", {"connectorId": 1, "transactionId": transaction_id,
                                 "meterValue": [meter(5000, "2026-11-23T09:20:00Z")]})
    # Then both readings count: parking until 09:10, then charging
    record = session_of(transaction_id)
    assert [(p.charging, p.wh) for p in record.meter.periods] == [(False, Decimal(0)), (True, Decimal(4000))]
    assert record.session.kwh == Decimal(4) and record.revision == stale.revision + 2


@pytest.mark.parametrize("later", [0, 300], ids=["inside the window", "opening a new window"])
def test_two_meter_values_racing_on_the_running_meter_lose_no_update(
    station, clock, monkeypatch, later, sampled_every_minute
):
    # Given an active session, and a MeterValues whose handler read the TX item before another one wrote
    transaction_id = charge(station, clock, readings=(), stop_wh=None)
    stale = transactions.get_transaction(transaction_id)
    station.call("MeterValues", {"connectorId": 1, "transactionId": transaction_id,
                                 "meterValue": [meter(1000, "2026-11-23T09:10:00Z")]})  # not charging yet
    reads = iter([stale])
    real_read = transactions.get_transaction
    monkeypatch.setattr(transactions, "get_transaction", lambda tid: next(reads, None) or real_read(tid))
    clock.advance(later)
    # When the slower one writes: its conditional write fails, so it reads again and re-applies
    station.call("MeterValues", {"connectorId": 1, "transactionId": transaction_id,
                                 "meterValue": [meter(5000, "2026-11-23T09:20:00Z")]})
    # Then both readings count: parking until 09:10, then charging
    record = session_of(transaction_id)
    assert [(p.charging, p.wh) for p in record.meter.periods] == [(False, Decimal(0)), (True, Decimal(4000))]
    assert record.session.kwh == Decimal(4)
    assert running_meter.from_item(real_read(transaction_id)).seq == 2


def test_a_stop_racing_a_reading_keeps_the_reading(station, clock, monkeypatch, sampled_every_minute):
    # Given a StopTransaction whose handler read the TX item before a reading was applied to it
    transaction_id = charge(station, clock, readings=(), stop_wh=None)
    stale = transactions.get_transaction(transaction_id)
    station.call("MeterValues", {"connectorId": 1, "transactionId": transaction_id,
                                 "meterValue": [meter(1000, "2026-11-23T09:10:00Z")]})
    reads = iter([stale])
    real_read = transactions.get_transaction
    monkeypatch.setattr(transactions, "get_transaction", lambda tid: next(reads, None) or real_read(tid))
    # When it writes: the TX item's running meter moved, so it reads again and stops on top of the reading
    station.call("StopTransaction", {"transactionId": transaction_id, "meterStop": 5000, "idTag": RFID,
                                     "timestamp": "2026-11-23T09:20:00Z"})
    record = session_of(transaction_id)
    assert record.session.status is SessionStatus.COMPLETED and record.session.kwh == Decimal(4)
    assert [(p.charging, p.wh) for p in record.meter.periods] == [(False, Decimal(0)), (True, Decimal(4000))]
