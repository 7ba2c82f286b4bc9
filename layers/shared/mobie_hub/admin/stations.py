"""Operator operations on OCPP stations: passwords, state, and calls to a station.

- ``stations.set_password`` / ``stations.clear_password``: HTTP Basic auth for a station
  (only a salted scrypt hash is stored).
- ``stations.show``: connected or not, last seen, boot facts, the call awaiting an answer.
- ``stations.call``: send an OCPP call (e.g. TriggerMessage) and, on the local hub, wait for the
  answer; in AWS the answer is logged by the gateway (issue 8 routes it to the command workflow).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field

from mobie_hub.admin.registry import operation
from mobie_hub.errors import UnknownLocation
from mobie_hub.ocpp import runtime
from mobie_hub.ocpp.station_auth import hash_password, password_bytes
from mobie_hub.repositories import stations
from mobie_hub.repositories.locations import get_location
from mobie_hub.types import format_datetime, utcnow


class StationRequest(BaseModel):
    station_id: str = Field(min_length=1, max_length=36)


class SetPassword(StationRequest):
    password: str
    hex: bool = False  # the password given as hex, as a station's AuthorizationKey is configured


class CallRequest(StationRequest):
    action: str
    payload: dict[str, Any] = Field(default_factory=dict)
    wait_seconds: float = Field(default=30, ge=0, le=600)


def _known(station_id: str) -> None:
    if get_location(station_id) is None:
        raise UnknownLocation(f"no charging station (Location) {station_id!r}")


@operation("stations.set_password")
def set_password(payload: dict[str, Any]) -> dict[str, Any]:
    request = SetPassword.model_validate(payload)
    _known(request.station_id)
    secret = password_bytes(request.password, hex_encoded=request.hex)
    stations.set_password_hash(request.station_id, hash_password(secret), utcnow())
    return {"station_id": request.station_id, "password_set": True}


@operation("stations.clear_password")
def clear_password(payload: dict[str, Any]) -> dict[str, Any]:
    request = StationRequest.model_validate(payload)
    _known(request.station_id)
    stations.set_password_hash(request.station_id, None, utcnow())
    return {"station_id": request.station_id, "password_set": False}


@operation("stations.show")
def show(payload: dict[str, Any]) -> dict[str, Any]:
    request = StationRequest.model_validate(payload)
    _known(request.station_id)
    record = stations.get_station(request.station_id)
    connection = stations.get_connection(request.station_id)
    pending = stations.get_pending_call(request.station_id)
    return {
        "station_id": request.station_id,
        "connected": connection is not None,
        "connected_at": format_datetime(connection.connected_at) if connection else None,
        "last_seen": format_datetime(record.last_seen) if record and record.last_seen else None,
        "password_set": bool(record and record.password_hash),
        "boot": record.boot if record else {},
        "pending_call": {
            "action": pending.action,
            "message_id": pending.message_id,
            "deadline": format_datetime(pending.deadline),
        }
        if pending
        else None,
    }


@operation("stations.call")
def call(payload: dict[str, Any]) -> dict[str, Any]:
    request = CallRequest.model_validate(payload)
    gateway = runtime.gateway()
    message_id = gateway.send_call(
        request.station_id,
        request.action,
        request.payload,
        timeout=timedelta(seconds=request.wait_seconds) if request.wait_seconds else None,
    )
    answer: dict[str, Any] = {
        "station_id": request.station_id,
        "action": request.action,
        "message_id": message_id,
    }
    wait = getattr(gateway.listener, "wait", None)
    if wait is None or not request.wait_seconds:
        return {**answer, "outcome": None}
    try:
        outcome = wait(request.station_id, message_id, request.wait_seconds)
    except TimeoutError:
        return {**answer, "outcome": None, "timed_out": True}
    failure = outcome.failure
    return {
        **answer,
        "outcome": {"result": outcome.result}
        if failure is None
        else {
            "error": failure.code,
            "description": failure.description,
            "details": failure.details,
        },
    }
