"""Operator operations on OCPP stations: passwords, state, and calls to a station.

- ``stations.set_password`` / ``stations.clear_password``: HTTP Basic auth for a station
  (only a salted scrypt hash is stored).
- ``stations.set_passwords``: many at once (``stations set-password --from-file CSV``), checked
  whole first: one unknown station or bad password and nothing is stored.
- ``stations.generate_passwords``: strong random passwords (20 random bytes, hex: 40 characters)
  for the given stations or every one, stored hashed and answered once
  (``stations set-password --generate``).
- ``stations.show``: connected or not, last seen, boot facts, the call awaiting an answer.
- ``stations.call``: send an OCPP call (e.g. TriggerMessage) and, on the local hub, wait for the
  answer; in AWS the gateway logs the answer and hands it to the command lifecycle.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field

from mobie_hub.admin.registry import operation
from mobie_hub.core.errors import InvalidRequest, UnknownLocation
from mobie_hub.core.types import format_datetime, utcnow
from mobie_hub.locations.api import get_location, get_locations
from mobie_hub.locations.operator_api import location_ids
from mobie_hub.ocpp import call_repository, liveness_repository, runtime
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.station_auth import hash_password, password_bytes


class StationRequest(BaseModel):
    station_id: str = Field(min_length=1, max_length=36)


class SetPassword(StationRequest):
    password: str
    hex: bool = False  # the password given as hex, as a station's AuthorizationKey is configured


# scrypt costs ~50 ms a password: a bulk request stays well inside the admin function's 120 s.
MAX_BULK_PASSWORDS = 1000
GENERATED_PASSWORD_BYTES = 20  # the Security Whitepaper's AuthorizationKey: 16-20 random bytes, hex


class SetPasswords(BaseModel):
    passwords: list[SetPassword] = Field(min_length=1, max_length=MAX_BULK_PASSWORDS)


class GeneratePasswords(BaseModel):
    station_ids: list[str] = Field(default_factory=list, max_length=MAX_BULK_PASSWORDS)
    all: bool = False  # every station (Location), private ones included


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


def _all_known(station_ids: list[str]) -> None:
    known = get_locations(station_ids)
    unknown = [station_id for station_id in dict.fromkeys(station_ids) if station_id not in known]
    if unknown:
        raise UnknownLocation(f"no charging station (Location) {', '.join(map(repr, unknown[:10]))}")


@operation("stations.set_passwords")
def set_passwords(payload: dict[str, Any]) -> dict[str, Any]:
    request = SetPasswords.model_validate(payload)
    ids = [entry.station_id for entry in request.passwords]
    duplicates = sorted({station_id for station_id in ids if ids.count(station_id) > 1})
    if duplicates:
        raise InvalidRequest(f"stations given twice: {', '.join(duplicates[:10])}", field="passwords")
    _all_known(ids)
    secrets_by_id = {}
    for row, entry in enumerate(request.passwords, start=1):
        try:
            secrets_by_id[entry.station_id] = password_bytes(entry.password, hex_encoded=entry.hex)
        except InvalidRequest as exc:
            raise InvalidRequest(f"row {row} ({entry.station_id}): {exc.message}") from None
    now = utcnow()
    for station_id, secret in secrets_by_id.items():
        stations.set_password_hash(station_id, hash_password(secret), now)
    return {"password_set": sorted(secrets_by_id), "count": len(secrets_by_id)}


@operation("stations.generate_passwords")
def generate_passwords(payload: dict[str, Any]) -> dict[str, Any]:
    """The passwords are in this answer only: the hub keeps their hashes."""
    request = GeneratePasswords.model_validate(payload)
    if request.all == bool(request.station_ids):
        raise InvalidRequest("name the stations or ask for all of them, not both", field="station_ids")
    ids = location_ids() if request.all else list(dict.fromkeys(request.station_ids))
    if len(ids) > MAX_BULK_PASSWORDS:
        raise InvalidRequest(f"at most {MAX_BULK_PASSWORDS} stations per request, got {len(ids)}")
    if not request.all:
        _all_known(ids)
    now = utcnow()
    generated = []
    for station_id in ids:
        password = secrets.token_hex(GENERATED_PASSWORD_BYTES)
        stations.set_password_hash(station_id, hash_password(password.encode("ascii")), now)
        generated.append({"station_id": station_id, "password": password})
    return {"passwords": generated, "count": len(generated)}


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
    pending = call_repository.get_pending_call(request.station_id)
    return {
        "station_id": request.station_id,
        "connected": connection is not None,
        "connected_at": format_datetime(connection.connected_at) if connection else None,
        "last_seen": format_datetime(seen.last_seen) if (seen := liveness_repository.get_liveness(request.station_id))
        and seen.last_seen else None,
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
    central_system = runtime.central_system()
    message_id = central_system.send_call(
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
    wait = getattr(central_system.listener, "wait", None)
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
