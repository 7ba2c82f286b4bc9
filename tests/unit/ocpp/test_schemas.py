"""Payload validation with the ocpp library's 1.6 schemas, each schema failure mapped to its code."""

from __future__ import annotations

import pytest

from mobie_hub.ocpp import schemas
from mobie_hub.ocpp.frames import ErrorCode, FrameError

STATUS = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}


def refusal(action: str, payload: dict) -> FrameError:
    with pytest.raises(FrameError) as caught:
        schemas.check_call(action, payload, message_id="m1")
    assert caught.value.message_id == "m1"
    return caught.value


@pytest.mark.parametrize(
    ("action", "payload", "code", "path"),
    [
        ("BootNotification", {"chargePointModel": "M"}, ErrorCode.PROTOCOL_ERROR, ""),
        (
            "BootNotification",
            {"chargePointVendor": 1, "chargePointModel": "M"},
            ErrorCode.TYPE_CONSTRAINT_VIOLATION,
            "chargePointVendor",
        ),
        ("Authorize", {"idTag": "X" * 21}, ErrorCode.TYPE_CONSTRAINT_VIOLATION, "idTag"),
        (
            "StatusNotification",
            {**STATUS, "timestamp": "yesterday"},
            ErrorCode.TYPE_CONSTRAINT_VIOLATION,
            "timestamp",
        ),
        (
            "StatusNotification",
            {**STATUS, "timestamp": "2024-01-01"},
            ErrorCode.TYPE_CONSTRAINT_VIOLATION,
            "timestamp",
        ),
        (
            "StatusNotification",
            {**STATUS, "status": "Sleeping"},
            ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
            "status",
        ),
        (
            "MeterValues",
            {"connectorId": 1, "meterValue": []},
            ErrorCode.OCCURENCE_CONSTRAINT_VIOLATION,
            "meterValue",
        ),
        ("Heartbeat", {"extra": True}, ErrorCode.FORMATION_VIOLATION, ""),
    ],
)
def test_each_schema_failure_gets_the_matching_callerror(action, payload, code, path):
    error = refusal(action, payload)

    assert error.code is code
    assert error.details.get("path", "") == path


def test_valid_payloads_pass_including_offsets_and_one_decimal_limits():
    schemas.check_call(
        "StatusNotification", {**STATUS, "timestamp": "2024-01-01T10:00:00+01:00"}, message_id="1"
    )
    schemas.check_call("Heartbeat", {}, message_id="1")
    # RemoteStartTransaction limits are multipleOf 0.1: 21.4 must pass despite binary floats.
    schedule = {"chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 21.4}]}
    profile = {
        "chargingProfileId": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": schedule,
    }
    schemas.check_call("RemoteStartTransaction", {"idTag": "A", "chargingProfile": profile}, message_id="1")


def test_results_are_checked_against_the_response_schema():
    schemas.check_result("RemoteStartTransaction", {"status": "Accepted"}, message_id="1")
    with pytest.raises(FrameError) as caught:
        schemas.check_result("UnlockConnector", {"status": "Opened"}, message_id="1")
    assert caught.value.code is ErrorCode.PROPERTY_CONSTRAINT_VIOLATION
