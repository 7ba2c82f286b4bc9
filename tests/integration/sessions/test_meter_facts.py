"""MeterValues of a session (issue #18): the METER fact and the running meter on the TX item in one
write (1 GetItem + 1 transaction, no index), the Session rewritten only by a state change (INVALID),
an INVALID session's readings and the stop; a push window's first reading marks its TX write
(``window_opened``: the push path follows it); a reading that changes nothing for the Session is one
PutItem; METER facts expire (TTL) after their CDR can exist plus the retention, and nothing that
builds a CDR or a credit CDR reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mobie_hub.cdrs import repository as cdrs
from mobie_hub.cdrs.creation import Outcome, create_cdr_for
from mobie_hub.cdrs.credit import credit_for
from mobie_hub.core.dynamodb import counting_calls as dynamodb_calls
from mobie_hub.core.dynamodb import table
from mobie_hub.core.tables import SESSIONS
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions import running_meter
from mobie_hub.sessions import transaction_repository as transactions
from tests.integration.sessions.conftest import RFID, charge, meter

NINE = int(datetime(2026, 11, 23, 9, 0, tzinfo=UTC).timestamp())  # the start's push window (epoch s)


def start(station) -> int:
    return station.call("StartTransaction", {"connectorId": 1, "idTag": RFID, "meterStart": 1000,
                                             "timestamp": "2026-11-23T09:00:00Z"})[2]["transactionId"]


@pytest.fixture
def sampled_every_minute(monkeypatch):
    """Stations sampling every minute, pushes every 5 minutes: a push window holds several readings."""
    from mobie_hub.core.settings import get_settings

    monkeypatch.setenv("MOBIE_OCPP_METER_SAMPLE_INTERVAL", "60")
    get_settings.cache_clear()


def stored(session_id: str):
    """The Session item as written (no running meter of its TX item over it)."""
    return sessions.get_stored_record(session_id)


def reading(station, transaction_id: int, wh: int, at: str, message_id: str | None = None) -> None:
    payload = {"connectorId": 1, "transactionId": transaction_id, "meterValue": [meter(wh, at)]}
    station.call("MeterValues", payload, **({"message_id": message_id} if message_id else {}))


def test_a_reading_of_an_active_session_updates_only_the_tx_item(station, clock):
    # Given a session started at 09:00:00 (hub time), the hub's defaults (readings and pushes: 300 s)
    transaction_id = start(station)
    tx = transactions.get_transaction(transaction_id)
    session_id = tx["session_id"]
    written = stored(session_id)
    assert (tx["owner"], tx["meter_window"]) == ("PT#EDP", NINE)  # the recipients, the start's window
    # When a reading arrives (a window of its own)
    clock.advance(300)
    with dynamodb_calls() as calls:
        reading(station, transaction_id, 2400, "2026-11-23T09:05:00Z")
    # Then one GetItem (the TX item) and one transaction (METER + TX): the Session item is untouched
    assert calls == {"GetItem": 1, "TransactWriteItems": 1}
    assert stored(session_id) == written and written.session.kwh == 0
    assert len(transactions.meter_items(transaction_id)) == 1
    tx = transactions.get_transaction(transaction_id)
    running = running_meter.from_item(tx)
    assert (running.seq, running.meter.last_wh, running.updated_at) == (1, 2400, clock.now)
    assert tx[transactions.WINDOW_OPENED] == running.window == NINE + 300  # the push path follows this write
    # And the Session as read now has it, last_updated the time of that reading
    now = sessions.get_record(session_id)
    assert now.session.kwh == Decimal("1.4") and now.session.last_updated == clock.now
    assert now.revision == written.revision


def test_only_a_push_windows_first_reading_marks_its_write(station, clock, sampled_every_minute):
    transaction_id = start(station)
    session_id = transactions.get_transaction(transaction_id)["session_id"]
    written = stored(session_id)
    clock.advance(120)
    reading(station, transaction_id, 2000, "2026-11-23T09:02:00Z")  # the start's window: its push was the PUT
    assert transactions.WINDOW_OPENED not in transactions.get_transaction(transaction_id)
    clock.advance(240)  # 09:06: the next window
    reading(station, transaction_id, 4000, "2026-11-23T09:06:00Z")
    assert transactions.get_transaction(transaction_id)[transactions.WINDOW_OPENED] == NINE + 300
    clock.advance(60)  # the window's next reading: the mark goes
    with dynamodb_calls() as calls:
        reading(station, transaction_id, 4500, "2026-11-23T09:07:00Z")
    assert calls == {"GetItem": 1, "TransactWriteItems": 1}
    assert transactions.WINDOW_OPENED not in transactions.get_transaction(transaction_id)
    assert stored(session_id) == written
    assert sessions.get_record(session_id).session.kwh == Decimal("3.5")


def test_a_retransmitted_reading_is_applied_once(station, clock, sampled_every_minute):
    transaction_id = start(station)
    clock.advance(60)
    reading(station, transaction_id, 1500, "2026-11-23T09:01:00Z", message_id="mv-1")
    reading(station, transaction_id, 1500, "2026-11-23T09:01:00Z", message_id="mv-1")  # no CALLRESULT seen
    running = running_meter.from_item(transactions.get_transaction(transaction_id))
    assert running.seq == 1 and len(transactions.meter_items(transaction_id)) == 1


def test_the_stop_completes_the_session_with_the_readings_only_the_tx_item_had(station, clock, sampled_every_minute):
    # Given readings on the TX item only (the Session never rewritten for them)
    transaction_id = start(station)
    session_id = transactions.get_transaction(transaction_id)["session_id"]
    for wh, second in ((1000, 30), (2000, 90), (3000, 150)):
        clock.advance(60)
        reading(station, transaction_id, wh, f"2026-11-23T09:0{second // 60}:{second % 60:02d}Z")
    assert stored(session_id).session.kwh == 0
    # When the station stops, Then the COMPLETED Session has every period: parking, then charging
    clock.advance(60)
    station.call("StopTransaction", {"transactionId": transaction_id, "meterStop": 4000, "idTag": RFID,
                                     "timestamp": "2026-11-23T09:04:00Z"})
    record = stored(session_id)
    assert record.session.status.value == "COMPLETED" and record.session.kwh == 3
    assert [(p.charging, p.wh, p.seconds) for p in record.meter.periods] == [(False, 0, 30), (True, 3000, 210)]
    assert transactions.WINDOW_OPENED not in transactions.get_transaction(transaction_id)  # no push from the TX
    assert create_cdr_for(session_id) is Outcome.CREATED
    assert cdrs.get_cdr(cdrs.cdr_id_for(session_id)).total_energy == 3
    # And a reading after the stop is only a fact
    clock.advance(60)
    reading(station, transaction_id, 6000, "2026-11-23T09:05:00Z")
    assert stored(session_id) == record and len(transactions.meter_items(transaction_id)) == 4


def test_an_implausible_reading_makes_the_session_invalid_at_once(station, clock, sampled_every_minute):
    transaction_id = start(station)
    session_id = transactions.get_transaction(transaction_id)["session_id"]
    clock.advance(60)
    reading(station, transaction_id, 2_000_000_000, "2026-11-23T09:01:00Z")  # far beyond the connector
    record = stored(session_id)
    assert record.session.status.value == "INVALID" and record.session.kwh == 0
    assert running_meter.from_item(transactions.get_transaction(transaction_id)).session_status == "INVALID"
    # And the INVALID session's later readings are written to it at once (each is pushed at once)
    clock.advance(30)
    reading(station, transaction_id, 1500, "2026-11-23T09:01:30Z")
    assert stored(session_id).session.kwh == Decimal("0.5")


def test_without_coalescing_every_reading_opens_a_window_of_its_own(station, clock, monkeypatch):
    from mobie_hub.core.settings import get_settings

    monkeypatch.setenv("MOBIE_SESSION_PUSH_INTERVAL_SECONDS", "0")
    get_settings.cache_clear()
    transaction_id = start(station)
    session_id = transactions.get_transaction(transaction_id)["session_id"]
    for second, wh in ((1, 1005), (1, 1010)):  # even two in one second
        clock.advance(second)
        reading(station, transaction_id, wh, f"2026-11-23T09:00:0{second}Z")
        tx = transactions.get_transaction(transaction_id)
        assert tx[transactions.WINDOW_OPENED] == tx["meter_seq"]
        assert sessions.get_record(session_id).meter.last_wh == wh


def test_a_transaction_without_a_running_meter_keeps_its_meter_on_the_session(station, clock, sampled_every_minute):
    # Given a transaction started before the TX item kept the running meter
    transaction_id = start(station)
    table("sessions").update_item(
        Key=transactions.tx_key(transaction_id),
        UpdateExpression="REMOVE meter, meter_seq, meter_updated, meter_window, session_status, #owner",
        ExpressionAttributeNames={"#owner": "owner"})
    tx = transactions.get_transaction(transaction_id)
    # When readings arrive in one window, Then the Session takes each, and the TX item stays as it was
    for second, wh in ((60, 1600), (120, 2200)):
        clock.advance(60)
        reading(station, transaction_id, wh, f"2026-11-23T09:0{second // 60}:00Z")
        assert stored(tx["session_id"]).meter.last_wh == wh
    assert transactions.get_transaction(transaction_id) == tx


def test_a_running_meter_from_before_the_tx_item_pushed_its_readings_moves_there_at_its_next_reading(
    station, clock, sampled_every_minute
):
    # Given a transaction whose TX item kept the running meter, but its Session the pushes (no
    # ``meter_window``, no recipients: before issue #18's last cut)
    transaction_id = start(station)
    key = transactions.tx_key(transaction_id)
    table("sessions").update_item(
        Key=key, UpdateExpression="SET session_window = meter_window REMOVE meter_window, #owner",
        ExpressionAttributeNames={"#owner": "owner"})
    session_id = transactions.get_transaction(transaction_id)["session_id"]
    # When a reading arrives: the Session takes it (pushed from its stream as before), and the TX item
    # becomes one that pushes its readings
    clock.advance(60)
    reading(station, transaction_id, 1600, "2026-11-23T09:01:00Z")
    assert stored(session_id).meter.last_wh == 1600
    tx = transactions.get_transaction(transaction_id)
    assert running_meter.pushes_readings(tx) and tx["owner"] == "PT#EDP"
    # Then the next reading is the TX item's alone
    clock.advance(60)
    reading(station, transaction_id, 2200, "2026-11-23T09:02:00Z")
    assert stored(session_id).meter.last_wh == 1600
    assert sessions.get_record(session_id).meter.last_wh == 2200


def test_a_reading_that_changes_nothing_for_the_session_is_one_putitem_and_stored_once(station, clock):
    transaction_id = start(station)
    power_only = {"connectorId": 1, "transactionId": transaction_id, "meterValue": [{
        "timestamp": "2026-11-23T09:05:00Z",
        "sampledValue": [{"value": "7400", "measurand": "Power.Active.Import", "unit": "W"}]}]}
    with dynamodb_calls() as calls:
        station.call("MeterValues", power_only, message_id="p-1")
    station.call("MeterValues", power_only, message_id="p-1")  # retransmitted: stored once, answered
    assert calls == {"GetItem": 1, "PutItem": 1}
    assert len(transactions.meter_items(transaction_id)) == 1


def test_meter_facts_expire_after_the_longest_transaction_plus_the_retention(station, clock, monkeypatch):
    monkeypatch.setenv("MOBIE_METER_FACTS_RETENTION_DAYS", "30")
    monkeypatch.setenv("MOBIE_MAX_TRANSACTION_HOURS", "48")
    from mobie_hub.core.settings import get_settings

    get_settings.cache_clear()
    transaction_id = start(station)
    clock.advance(300)
    station.call("MeterValues", {"connectorId": 1, "transactionId": transaction_id,
                                 "meterValue": [meter(4000, "2026-11-23T09:05:00Z")]})
    [fact] = transactions.meter_items(transaction_id)
    received = clock.now
    assert int(fact["expires_at"]) == int((received + timedelta(hours=48) + timedelta(days=30)).timestamp())
    assert SESSIONS.ttl_attribute == "expires_at"
    # The TX item and the Session never expire: only the facts
    assert "expires_at" not in transactions.get_transaction(transaction_id)
    assert "expires_at" not in table("sessions").get_item(
        Key=sessions.session_key(transactions.get_transaction(transaction_id)["session_id"]))["Item"]


def test_cdrs_and_credit_cdrs_are_built_without_the_meter_facts(station, clock):
    # Given a completed charge whose METER facts have expired (TTL deleted them all)
    transaction_id = charge(station, clock)
    session_id = transactions.get_transaction(transaction_id)["session_id"]
    facts = transactions.meter_items(transaction_id)
    assert facts
    for fact in facts:
        table("sessions").delete_item(Key={"pk": fact["pk"], "sk": fact["sk"]})
    # When its CDR is created and then credited
    assert create_cdr_for(session_id) is Outcome.CREATED
    cdr = cdrs.get_cdr(cdrs.cdr_id_for(session_id))
    credit = credit_for(cdr, credit_id="credit-1", reason="test", now=datetime(2026, 12, 3, tzinfo=UTC))
    # Then both hold the session's energy
    assert cdr.total_energy == sessions.get_session(session_id).kwh == 6
    assert credit.total_energy == cdr.total_energy
