"""MeterValues of a session (issue #18): the METER fact and the Session in one write, no TX summary;
a reading that changes nothing for the Session is one PutItem; METER facts expire (TTL) after their
CDR can exist plus the retention, and nothing that builds a CDR or a credit CDR reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mobie_hub.cdrs import repository as cdrs
from mobie_hub.cdrs.creation import Outcome, create_cdr_for
from mobie_hub.cdrs.credit import credit_for
from mobie_hub.core.dynamodb import counting_calls as dynamodb_calls
from mobie_hub.core.dynamodb import table
from mobie_hub.core.tables import SESSIONS
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions import transaction_repository as transactions
from tests.integration.sessions.conftest import RFID, charge, meter


def start(station) -> int:
    return station.call("StartTransaction", {"connectorId": 1, "idTag": RFID, "meterStart": 1000,
                                             "timestamp": "2026-11-23T09:00:00Z"})[2]["transactionId"]


def test_a_reading_writes_its_fact_and_the_session_in_one_transaction_and_no_tx_summary(station, clock):
    transaction_id = start(station)
    tx_before = transactions.get_transaction(transaction_id)
    clock.advance(300)
    with dynamodb_calls() as calls:
        station.call("MeterValues", {"connectorId": 1, "transactionId": transaction_id,
                                     "meterValue": [meter(4000, "2026-11-23T09:05:00Z")]})
    assert calls == {"GetItem": 2, "TransactWriteItems": 1}
    assert transactions.get_transaction(transaction_id) == tx_before  # the TX item no longer changes
    assert len(transactions.meter_items(transaction_id)) == 1
    session_id = tx_before["session_id"]
    assert sessions.get_session(session_id).kwh == 3


def test_a_reading_that_changes_nothing_for_the_session_is_one_putitem_and_stored_once(station, clock):
    transaction_id = start(station)
    power_only = {"connectorId": 1, "transactionId": transaction_id, "meterValue": [{
        "timestamp": "2026-11-23T09:05:00Z",
        "sampledValue": [{"value": "7400", "measurand": "Power.Active.Import", "unit": "W"}]}]}
    with dynamodb_calls() as calls:
        station.call("MeterValues", power_only, message_id="p-1")
    station.call("MeterValues", power_only, message_id="p-1")  # retransmitted: stored once, answered
    assert calls == {"GetItem": 2, "PutItem": 1}
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
