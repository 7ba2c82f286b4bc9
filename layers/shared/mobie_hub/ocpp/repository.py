"""OCPP runtime state in the ``stations`` table (docs/dynamodb.md).

| item | pk | sk | TTL |
|---|---|---|---|
| the station: password hash, boot facts, last seen | ``STATION#<id>`` | ``STATION`` | – |
| its current WebSocket connection | ``STATION#<id>`` | ``CONNECTION`` | 3 h (API Gateway closes at 2 h) |
| the call the hub sent and awaits (one per station) | ``STATION#<id>`` | ``CALL`` | 1 day |
| failed authentications in one window (throttling) | ``STATION#<id>`` | ``AUTHFAIL#<window>`` | 2 windows |

The stations' liveness items (last seen, disconnected, marked offline) share this table in their own
partition: ``ocpp.liveness_repository``; a handled message's receipt (retransmissions) is in the
station's partition: ``ocpp.receipt_repository``.

TTL only cleans up: nothing reads ``expires_at`` as a validity flag, except the pending call's
``deadline``, after which another call may take its place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mobie_hub.core import stream_images
from mobie_hub.core.dynamodb import dynamodb_resource, table
from mobie_hub.core.types import format_datetime, parse_datetime

TABLE = "stations"
STATION = "STATION"
CONNECTION = "CONNECTION"
CALL = "CALL"
CONNECTION_TTL = timedelta(hours=3)
CALL_TTL = timedelta(days=1)


def station_pk(station_id: str) -> str:
    return f"STATION#{station_id}"


def _key(station_id: str, sk: str) -> dict[str, str]:
    return {"pk": station_pk(station_id), "sk": sk}


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


# --- the station ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StationRecord:
    station_id: str
    password_hash: str | None = None
    boot: dict[str, Any] = field(default_factory=dict)
    last_seen: datetime | None = None


def get_station(station_id: str) -> StationRecord | None:
    item = table(TABLE).get_item(Key=_key(station_id, STATION), ConsistentRead=True).get("Item")
    return _record(station_id, item) if item is not None else None


def _record(station_id: str, item: dict[str, Any]) -> StationRecord:
    return StationRecord(
        station_id=station_id,
        password_hash=item.get("password_hash"),
        boot=json.loads(item["boot"]) if "boot" in item else {},
        last_seen=parse_datetime(item["last_seen"]) if "last_seen" in item else None,
    )


# --- admission: the station and its failed authentications, in one read --------------------------------
def _failures_sk(window: int) -> str:
    return f"AUTHFAIL#{window}"


def get_admission_facts(station_id: str, window: int) -> tuple[StationRecord | None, int]:
    """The station record (None if there is none) and its failed authentications in ``window``: one
    strongly consistent BatchGetItem of the two items."""
    name = table(TABLE).name
    keys = [_key(station_id, STATION), _key(station_id, _failures_sk(window))]
    request: dict[str, Any] = {name: {"Keys": keys, "ConsistentRead": True}}
    items: list[dict[str, Any]] = []
    while request:  # unprocessed keys (throttling) are asked for again
        response = dynamodb_resource().batch_get_item(RequestItems=request)
        items.extend(response["Responses"].get(name, []))
        request = response.get("UnprocessedKeys") or {}
    by_sk = {item["sk"]: item for item in items}
    station = by_sk.get(STATION)
    failures = by_sk.get(_failures_sk(window), {}).get("failures", 0)
    return (_record(station_id, station) if station else None), int(failures)


def record_auth_failure(station_id: str, window: int, expires_at: int) -> int:
    """Count one failed authentication in ``window`` (one UpdateItem, ADD is atomic across Lambdas);
    returns the window's count. The item expires by TTL: nothing else cleans it up."""
    response = table(TABLE).update_item(
        Key=_key(station_id, _failures_sk(window)),
        UpdateExpression="ADD failures :one SET expires_at = if_not_exists(expires_at, :expires)",
        ExpressionAttributeValues={":one": 1, ":expires": expires_at},
        ReturnValues="UPDATED_NEW",
    )
    return int(response["Attributes"]["failures"])


def set_password_hash(station_id: str, password_hash: str | None, now: datetime) -> None:
    """Store (or with None remove) the station's password hash: one UpdateItem."""
    if password_hash is None:
        table(TABLE).update_item(Key=_key(station_id, STATION), UpdateExpression="REMOVE password_hash")
        return
    table(TABLE).update_item(
        Key=_key(station_id, STATION),
        UpdateExpression="SET password_hash = :hash, password_set_at = :now",
        ExpressionAttributeValues={":hash": password_hash, ":now": format_datetime(now)},
    )


def record_boot(station_id: str, now: datetime, boot: dict[str, Any]) -> None:
    """BootNotification's facts on the station item: one UpdateItem (last seen: ``record_seen``)."""
    table(TABLE).update_item(
        Key=_key(station_id, STATION),
        UpdateExpression="SET boot = :boot, booted_at = :now",
        ExpressionAttributeValues={
            ":boot": json.dumps(boot, separators=(",", ":"), ensure_ascii=False),
            ":now": format_datetime(now),
        },
    )


# --- the connection --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StationConnection:
    station_id: str
    connection_id: str
    connected_at: datetime


def put_connection(station_id: str, connection_id: str, now: datetime) -> str | None:
    """Map the station to its new connection; returns the connection id it replaces, if any."""
    response = table(TABLE).put_item(
        Item={
            **_key(station_id, CONNECTION),
            "connection_id": connection_id,
            "connected_at": format_datetime(now),
            "expires_at": _epoch(now + CONNECTION_TTL),
        },
        ReturnValues="ALL_OLD",
    )
    previous = response.get("Attributes", {}).get("connection_id")
    return previous if previous != connection_id else None


def get_connection(station_id: str) -> StationConnection | None:
    item = table(TABLE).get_item(Key=_key(station_id, CONNECTION), ConsistentRead=True).get("Item")
    if item is None:
        return None
    return StationConnection(station_id, item["connection_id"], parse_datetime(item["connected_at"]))


def delete_connection(station_id: str, connection_id: str) -> bool:
    """Remove the mapping only if it still names ``connection_id`` (a reconnect overtakes a late
    disconnect). True when removed."""
    stations = table(TABLE)
    try:
        stations.delete_item(
            Key=_key(station_id, CONNECTION),
            ConditionExpression="connection_id = :connection",
            ExpressionAttributeValues={":connection": connection_id},
        )
    except stations.meta.client.exceptions.ConditionalCheckFailedException:
        return False
    return True


# --- the pending call ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PendingCall:
    station_id: str
    message_id: str
    action: str
    connection_id: str
    sent_at: datetime
    deadline: datetime
    context: dict[str, Any] = field(default_factory=dict)


def _pending(station_id: str, item: dict[str, Any]) -> PendingCall:
    return PendingCall(
        station_id=station_id,
        message_id=item["message_id"],
        action=item["action"],
        connection_id=item["connection_id"],
        sent_at=parse_datetime(item["sent_at"]),
        deadline=datetime.fromtimestamp(int(item["deadline"]), tz=UTC),
        context=json.loads(item.get("context", "{}")),
    )


def put_pending_call(call: PendingCall) -> PendingCall | None:
    """Record the call unless another one is still awaited (its deadline not passed). Returns None
    when recorded, else the call that is in the way. One conditional PutItem."""
    stations = table(TABLE)
    try:
        stations.put_item(
            Item={
                **_key(call.station_id, CALL),
                "message_id": call.message_id,
                "action": call.action,
                "connection_id": call.connection_id,
                "sent_at": format_datetime(call.sent_at),
                "deadline": _epoch(call.deadline),
                "context": json.dumps(call.context, separators=(",", ":")),
                "expires_at": _epoch(call.sent_at + CALL_TTL),
            },
            ConditionExpression="attribute_not_exists(pk) OR deadline < :now",
            ExpressionAttributeValues={":now": _epoch(call.sent_at)},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except stations.meta.client.exceptions.ConditionalCheckFailedException as exc:
        old = exc.response.get("Item")
        if old:
            return _pending(call.station_id, stream_images.plain(old))
        return get_pending_call(call.station_id) or call
    return None


def get_pending_call(station_id: str) -> PendingCall | None:
    item = table(TABLE).get_item(Key=_key(station_id, CALL), ConsistentRead=True).get("Item")
    return _pending(station_id, item) if item else None


def take_pending_call(
    station_id: str, *, message_id: str | None = None, connection_id: str | None = None
) -> PendingCall | None:
    """Delete and return the pending call if it matches ``message_id`` (its answer arrived) or
    ``connection_id`` (that connection closed); None when there is no such call. One DeleteItem."""
    condition, values = "attribute_exists(pk)", {}
    if message_id is not None:
        condition, values = "message_id = :match", {":match": message_id}
    elif connection_id is not None:
        condition, values = "connection_id = :match", {":match": connection_id}
    stations = table(TABLE)
    try:
        response = stations.delete_item(
            Key=_key(station_id, CALL),
            ConditionExpression=condition,
            ReturnValues="ALL_OLD",
            **({"ExpressionAttributeValues": values} if values else {}),
        )
    except stations.meta.client.exceptions.ConditionalCheckFailedException:
        return None
    old = response.get("Attributes")
    return _pending(station_id, old) if old else None


# The hub's OCPP transactionId counter. It lives in the ``sessions`` table beside the transactions
# it numbers (docs/dynamodb.md); the gateway allocates the ids, so the counter is the gateway's.
_COUNTER_TABLE = "sessions"
_COUNTER_KEY = {"pk": "COUNTER#TRANSACTION", "sk": "COUNTER"}


def next_transaction_id() -> int:
    """A new OCPP transactionId: one atomic UpdateItem ADD on the counter (ids never repeat; a
    retransmitted StartTransaction may leave a gap, which is harmless)."""
    response = table(_COUNTER_TABLE).update_item(
        Key=_COUNTER_KEY,
        UpdateExpression="ADD #value :one",
        ExpressionAttributeNames={"#value": "value"},
        ExpressionAttributeValues={":one": 1},
        ReturnValues="UPDATED_NEW",
    )
    return int(response["Attributes"]["value"])
