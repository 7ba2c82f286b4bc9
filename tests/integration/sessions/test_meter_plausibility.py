"""Meter plausibility through the gateway, SessionTransactions and DynamoDB (moto): an implausible
reading makes the session INVALID in the same write, no CDR, and the operator's metric and warning
(issue 12). The station LSB-00175's EVSEs: AC_3_PHASE 400 V x 32 A (38,400 W, larger than the declared
22,000 W, so the bound), max 42,240 W x hours + 1,000 Wh."""

from __future__ import annotations

import json

from mobie_hub.cdrs import repository as cdrs
from mobie_hub.cdrs.creation import Outcome, create_cdr_for
from mobie_hub.core.dynamodb import counting_calls as dynamodb_calls
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions import transaction_repository as transactions
from mobie_hub.sessions.models import SessionStatus
from tests.integration.sessions.conftest import RFID, meter

START = {"connectorId": 1, "idTag": RFID, "meterStart": 1000, "timestamp": "2026-11-23T09:00:00Z"}


def start(station, **changes) -> int:
    return station.call("StartTransaction", {**START, **changes})[2]["transactionId"]


def record_of(transaction_id: int):
    return sessions.get_record(transactions.get_transaction(transaction_id)["session_id"])


def metrics(printed: str) -> list[dict]:
    """The ImplausibleMeterReadings EMF documents printed (Embedded Metric Format lines)."""
    lines = [json.loads(line) for line in printed.splitlines() if line.startswith("{")]
    return [line for line in lines if "ImplausibleMeterReadings" in line]


def warnings(caplog) -> list[dict]:
    return [r.__dict__ for r in caplog.records if r.getMessage().startswith("implausible meter reading")]


def test_the_evses_power_is_kept_on_the_transaction_and_the_session_at_the_start(station):
    transaction_id = start(station)
    assert transactions.get_transaction(transaction_id)["max_power_w"] == 38_400
    assert record_of(transaction_id).max_power_w == 38_400


def test_an_absurd_meter_values_reading_invalidates_the_session_at_once_and_alarms(station, clock, capsys, caplog):
    # Given an active session
    transaction_id = start(station)
    capsys.readouterr()
    # When, five minutes in, the station reports 2,000,000 kWh
    clock.advance(300)
    with dynamodb_calls() as calls:
        station.call("MeterValues", {"connectorId": 1, "transactionId": transaction_id,
                                     "meterValue": [meter(2_000_000_000, "2026-11-23T09:05:00Z")]})
    # Then the session is INVALID at once, keeps its plausible energy, in no more DynamoDB calls than before
    record = record_of(transaction_id)
    assert record.status is SessionStatus.INVALID and record.session.kwh == 0
    assert "2000000000 Wh" in record.invalid_reason
    assert calls == {"GetItem": 2, "TransactWriteItems": 1}
    # and the reading is still kept as a fact (the METER item of the message)
    [fact] = transactions.meter_items(transaction_id)
    assert '"value":"2000000000"' in fact["samples"]
    # and the operator is alarmed: one metric with the reason, one warning with the figures
    [metric] = metrics(capsys.readouterr().out)
    assert metric["reason"] == "energy_above_power" and metric["ImplausibleMeterReadings"] == 1
    assert metric["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "MobieHub"
    [warning] = warnings(caplog)
    assert (warning["station_id"], warning["session_id"], warning["transaction_id"]) == (
        "LSB-00175", record.session.id, transaction_id)
    assert (warning["register_wh"], warning["allowed_wh"], warning["max_power_w"]) == ("2000000000", "4520", "38400")


def test_an_absurd_meter_stop_ends_the_session_invalid_and_it_gets_no_cdr(station, clock, capsys):
    transaction_id = start(station)
    clock.advance(600)
    with dynamodb_calls() as calls:
        station.call("StopTransaction", {"transactionId": transaction_id, "meterStop": 2_000_000_000,
                                         "timestamp": "2026-11-23T09:10:00Z", "idTag": RFID})
    record = record_of(transaction_id)
    assert record.status is SessionStatus.INVALID and record.session.end_date_time is not None
    assert calls == {"GetItem": 2, "TransactWriteItems": 1}
    assert create_cdr_for(record.session.id) is Outcome.NOT_BILLABLE
    assert cdrs.get_cdr(cdrs.cdr_id_for(record.session.id)) is None
    assert [m["reason"] for m in metrics(capsys.readouterr().out)] == ["energy_above_power"]


def test_an_absurd_reading_in_the_stops_transaction_data_is_caught(station, clock):
    transaction_id = start(station)
    station.call("StopTransaction", {"transactionId": transaction_id, "meterStop": 3000,
                                     "timestamp": "2026-11-23T09:10:00Z",
                                     "transactionData": [meter(2_000_000_000, "2026-11-23T09:05:00Z")]})
    assert record_of(transaction_id).status is SessionStatus.INVALID


def test_a_negative_meter_start_opens_an_invalid_session(station, capsys):
    transaction_id = start(station, meterStart=-5)
    assert record_of(transaction_id).status is SessionStatus.INVALID
    assert [m["reason"] for m in metrics(capsys.readouterr().out)] == ["register_out_of_range"]


def test_a_meter_going_backwards_in_meter_values_or_at_the_stop_is_invalid_and_alarms(station, capsys):
    in_values = start(station)
    station.call("MeterValues", {"connectorId": 1, "transactionId": in_values,
                                 "meterValue": [meter(900, "2026-11-23T09:05:00Z")]})
    at_stop = start(station, connectorId=2)
    station.call("StopTransaction", {"transactionId": at_stop, "meterStop": 999, "timestamp": "2026-11-23T09:10:00Z"})
    assert record_of(in_values).status is SessionStatus.INVALID
    assert record_of(at_stop).status is SessionStatus.INVALID
    assert [m["reason"] for m in metrics(capsys.readouterr().out)] == ["meter_backwards", "meter_backwards"]


def test_a_transaction_longer_than_the_maximum_is_invalid(station, clock, monkeypatch):
    from mobie_hub.core.settings import get_settings

    monkeypatch.setenv("MOBIE_MAX_TRANSACTION_HOURS", "2")
    get_settings.cache_clear()
    try:
        transaction_id = start(station)
        station.call("StopTransaction", {"transactionId": transaction_id, "meterStop": 2000,
                                         "timestamp": "2026-11-23T11:00:01Z"})
    finally:
        monkeypatch.delenv("MOBIE_MAX_TRANSACTION_HOURS")
        get_settings.cache_clear()
    record = record_of(transaction_id)
    assert record.status is SessionStatus.INVALID and "after the start" in record.invalid_reason


def test_a_plausible_charge_still_completes_and_finds_nothing(station, clock, capsys, caplog):
    # 21 kWh in one hour at a 22 kW charger: within the bound
    transaction_id = start(station)
    station.call("MeterValues", {"connectorId": 1, "transactionId": transaction_id,
                                 "meterValue": [meter(12_000, "2026-11-23T09:30:00Z")]})
    station.call("StopTransaction", {"transactionId": transaction_id, "meterStop": 22_000,
                                     "timestamp": "2026-11-23T10:00:00Z"})
    record = record_of(transaction_id)
    assert (record.status, record.session.kwh) == (SessionStatus.COMPLETED, 21)
    assert metrics(capsys.readouterr().out) == [] and warnings(caplog) == []
