"""Every CALL a station sends, handled by the gateway against DynamoDB (moto): what is answered,
what is recorded, how many DynamoDB calls it takes, and how retransmissions are answered."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mobie_hub.core.dynamodb import counting_calls as dynamodb_calls
from mobie_hub.locations import api as locations
from mobie_hub.locations.enums import Status
from mobie_hub.ocpp import liveness_repository
from mobie_hub.ocpp import repository as stations
from mobie_hub.sessions import transaction_repository as transactions
from tests.support.ocpp_data import STATION_ID

BOOT = {"chargePointVendor": "ABB", "chargePointModel": "Terra AC", "firmwareVersion": "1.8.21"}
START = {"connectorId": 2, "idTag": "04A1B2C3D4E5F6", "meterStart": 1200, "timestamp": "2026-11-23T08:59:58Z"}


def evse_statuses() -> list[Status]:
    return [evse.status for evse in locations.read_for_station(STATION_ID).location.evses]


def meter(value: str, at: str = "2026-11-23T09:05:00Z") -> dict:
    return {
        "timestamp": at,
        "sampledValue": [{"value": value, "measurand": "Energy.Active.Import.Register", "unit": "Wh"}],
    }


def test_boot_is_accepted_with_a_heartbeat_interval_within_api_gateways_idle_timeout(station, clock, monkeypatch):
    answer = station.call("BootNotification", BOOT)

    assert answer[0] == 3
    # 300 s until the station accepts WebSocket pings (then its configured 1800 s, ocpp.configuration)
    assert answer[2] == {"status": "Accepted", "currentTime": "2026-11-23T09:00:00Z", "interval": 300}
    record = stations.get_station(STATION_ID)
    assert record.boot == BOOT
    assert liveness_repository.get_liveness(STATION_ID).last_seen == clock.now

    from mobie_hub.core.settings import get_settings

    monkeypatch.setenv("MOBIE_OCPP_HEARTBEAT_INTERVAL", "60")  # a shorter setting is handed out as it is
    get_settings.cache_clear()
    assert station.call("BootNotification", BOOT)[2]["interval"] == 60


def test_heartbeat_answers_the_time_and_records_last_seen_in_one_write(station, clock):
    clock.advance(42)

    with dynamodb_calls() as calls:
        answer = station.call("Heartbeat", {})

    assert answer[2] == {"currentTime": "2026-11-23T09:00:42Z"}
    assert liveness_repository.get_liveness(STATION_ID).last_seen == clock.now
    assert calls == {"UpdateItem": 1}


def test_a_status_change_updates_the_evse_and_bumps_last_updated_in_one_read_and_one_write(station, clock):
    with dynamodb_calls() as calls:
        answer = station.call(
            "StatusNotification", {"connectorId": 2, "errorCode": "NoError", "status": "Charging"}
        )

    assert answer[2] == {}
    assert evse_statuses() == [Status.AVAILABLE, Status.CHARGING]
    stored = locations.read_for_station(STATION_ID).location
    assert stored.evses[1].last_updated == clock.now
    assert stored.last_updated == clock.now
    assert calls == {"GetItem": 1, "PutItem": 1}


def test_a_status_already_set_writes_nothing(station):
    with dynamodb_calls() as calls:
        station.call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"})

    assert calls == {"GetItem": 1}


def test_connector_zero_applies_to_the_whole_station(station):
    station.call("StatusNotification", {"connectorId": 0, "errorCode": "GroundFailure", "status": "Faulted"})

    assert evse_statuses() == [Status.OUTOFORDER, Status.OUTOFORDER]


def test_a_concurrent_location_write_is_not_overwritten_but_retried(station, monkeypatch):
    """Between the read and the conditional write another writer changes EVSE 1: the write fails on
    its condition, the gateway reads again and applies the station's status on top."""
    real_replace = locations.replace_for_station
    interfered = []

    def replace_after_someone_else(location, *, expected):
        if not interfered:
            interfered.append(True)
            other = locations.read_for_station(STATION_ID)
            changed = other.location.model_copy(
                update={
                    "evses": [
                        other.location.evses[0].model_copy(update={"status": Status.INOPERATIVE}),
                        other.location.evses[1],
                    ]
                }
            )
            assert real_replace(changed, expected=other)
        return real_replace(location, expected=expected)

    monkeypatch.setattr(locations, "replace_for_station", replace_after_someone_else)

    station.call("StatusNotification", {"connectorId": 2, "errorCode": "NoError", "status": "Reserved"})

    assert evse_statuses() == [Status.INOPERATIVE, Status.RESERVED]


def test_a_connector_the_location_does_not_have_is_a_property_constraint_violation(station):
    answer = station.call(
        "StatusNotification",
        {"connectorId": 3, "errorCode": "NoError", "status": "Available"},
        message_id="s3",
    )

    assert answer[:3] == [4, "s3", "PropertyConstraintViolation"]
    assert "has 2 EVSE" in answer[3]


@pytest.mark.parametrize(("id_tag", "status"), [("04A1B2C3D4E5F6", "Accepted"), ("UNKNOWN", "Invalid")])
def test_authorize_answers_the_whitelist_decision(station, id_tag, status):
    assert station.call("Authorize", {"idTag": id_tag})[2] == {"idTagInfo": {"status": status}}


def test_start_transaction_issues_a_transaction_id_and_records_the_facts(station, clock):
    answer = station.call("StartTransaction", START, message_id="start-1")

    assert answer[2] == {"transactionId": 1, "idTagInfo": {"status": "Accepted"}}
    recorded = transactions.get_transaction(1)
    assert recorded["status"] == "ACTIVE"
    assert recorded["station_id"] == STATION_ID
    assert (recorded["connector_id"], recorded["evse_uid"]) == (2, "LSB-00175-02")
    assert recorded["meter_start_wh"] == 1200
    assert recorded["max_power_w"] == 38_400  # the EVSE's bound for meter plausibility (400 V x 32 A x 3)
    assert recorded["started_at"] == "2026-11-23T08:59:58Z"
    assert recorded["start_received_at"] == "2026-11-23T09:00:00Z"
    assert recorded["auth_status"] == "Accepted"
    assert '"party_id":"EDP"' in recorded["token"]
    assert station.call("StartTransaction", START)[2]["transactionId"] == 2


def test_a_retransmitted_start_gets_the_same_answer_and_no_second_transaction(station):
    first = station.call("StartTransaction", START, message_id="start-1")
    again = station.call("StartTransaction", START, message_id="start-1")

    assert again == first
    assert transactions.get_transaction(2) is None  # the retransmission's id was never recorded


def test_a_start_with_a_refused_idtag_is_recorded_with_its_status(station, authority):
    authority.statuses["BLOCKED1"] = "Blocked"

    answer = station.call("StartTransaction", {**START, "idTag": "BLOCKED1"})

    assert answer[2]["idTagInfo"] == {"status": "Blocked"}
    assert transactions.get_transaction(answer[2]["transactionId"])["auth_status"] == "Blocked"


def test_meter_values_are_stored_once_per_message_in_at_most_two_dynamodb_calls(station):
    transaction_id = station.call("StartTransaction", START)[2]["transactionId"]
    values = {"connectorId": 2, "transactionId": transaction_id, "meterValue": [meter("2700")]}

    with dynamodb_calls() as calls:
        assert station.call("MeterValues", values, message_id="mv-1")[2] == {}
    station.call("MeterValues", values, message_id="mv-1")  # retransmitted

    assert sum(calls.values()) <= 2
    recorded = transactions.get_transaction(transaction_id)
    assert recorded["last_energy_wh"] == Decimal("2700")
    assert recorded["last_energy_at"] == "2026-11-23T09:05:00Z"
    assert recorded["meter_message_count"] == 1
    assert len(transactions.meter_items(transaction_id)) == 1


def test_meter_values_for_a_transaction_the_station_never_started_are_acknowledged_not_stored(station):
    answer = station.call("MeterValues", {"connectorId": 1, "transactionId": 999, "meterValue": [meter("5")]})

    assert answer[2] == {}
    assert transactions.meter_items(999) == []
    assert transactions.get_transaction(999) is None


def test_stop_transaction_records_the_stop_and_a_retransmission_gets_the_stored_answer(station, authority):
    transaction_id = station.call("StartTransaction", START)[2]["transactionId"]
    stop = {
        "transactionId": transaction_id,
        "meterStop": 9200,
        "timestamp": "2026-11-23T10:00:00Z",
        "idTag": "04A1B2C3D4E5F6",
        "reason": "EVDisconnected",
        "transactionData": [meter("9200", "2026-11-23T10:00:00Z")],
    }

    first = station.call("StopTransaction", stop, message_id="stop-1")
    authority.accepted.clear()  # even if the token changed meanwhile, a retransmission is answered the same
    again = station.call("StopTransaction", stop, message_id="stop-1")

    assert first[2] == {"idTagInfo": {"status": "Accepted"}}
    assert again == first
    recorded = transactions.get_transaction(transaction_id)
    assert recorded["status"] == "STOPPED"
    assert (recorded["meter_stop_wh"], recorded["stop_reason"]) == (9200, "EVDisconnected")
    assert recorded["stopped_at"] == "2026-11-23T10:00:00Z"
    assert len(transactions.meter_items(transaction_id)) == 1  # the transactionData


def test_a_stop_without_idtag_has_no_idtaginfo_and_a_stop_of_an_unknown_transaction_is_kept(station):
    answer = station.call(
        "StopTransaction", {"transactionId": 77, "meterStop": 10, "timestamp": "2026-11-23T10:00:00Z"}
    )

    assert answer[2] == {}
    recorded = transactions.get_transaction(77)
    assert recorded["station_id"] == STATION_ID
    assert recorded["stop_reason"] == "Local"
    assert "started_at" not in recorded


def test_a_station_cannot_stop_another_stations_transaction(station, central_system):
    transaction_id = station.call("StartTransaction", START)[2]["transactionId"]
    from tests.integration.ocpp.conftest import Station

    other = Station(central_system, station_id="OPO-00001", connection_id="conn-other")
    other.call(
        "StopTransaction",
        {"transactionId": transaction_id, "meterStop": 1, "timestamp": "2026-11-23T10:00:00Z"},
    )

    assert transactions.get_transaction(transaction_id)["status"] == "ACTIVE"


def test_data_transfer_knows_only_configured_vendors(station, monkeypatch):
    from mobie_hub.core.settings import get_settings

    payload = {"vendorId": "com.acme", "messageId": "x", "data": "{}"}
    assert station.call("DataTransfer", payload)[2] == {"status": "UnknownVendorId"}

    monkeypatch.setenv("MOBIE_OCPP_DATA_TRANSFER_VENDORS", '["com.acme"]')
    get_settings.cache_clear()
    assert station.call("DataTransfer", payload)[2] == {"status": "Accepted"}


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("FirmwareStatusNotification", {"status": "Installed"}),
        ("DiagnosticsStatusNotification", {"status": "Uploaded"}),
    ],
)
def test_firmware_and_diagnostics_notifications_are_acknowledged(station, action, payload):
    assert station.call(action, payload)[2] == {}


@pytest.mark.parametrize(
    ("action", "code"),
    [
        ("SecurityEventNotification", "NotSupported"),
        ("RemoteStartTransaction", "NotSupported"),
        ("Reboot", "NotImplemented"),
    ],
)
def test_actions_a_station_may_not_send_here_are_refused_by_kind(station, action, code):
    assert station.call(action, {}, message_id="a1")[:3] == [4, "a1", code]


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("nonsense", "FormationViolation"),
        ([2, "b1", "Heartbeat"], "ProtocolError"),
        ([2, "b1", "BootNotification", {"chargePointVendor": "ABB"}], "ProtocolError"),
        ([2, "b1", "StartTransaction", {**START, "meterStart": "1200"}], "TypeConstraintViolation"),
        (
            [2, "b1", "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Asleep"}],
            "PropertyConstraintViolation",
        ),
    ],
)
def test_bad_frames_get_a_callerror_and_change_nothing(station, frame, code):
    with dynamodb_calls() as calls:
        answer = station.send(frame)

    assert answer[0] == 4
    assert answer[2] == code
    assert sum(calls.values()) == 0


def test_an_unexpected_failure_is_answered_with_internalerror(station, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(liveness_repository, "record_seen", broken)

    assert station.call("Heartbeat", {}, message_id="h1")[:3] == [4, "h1", "InternalError"]
