"""OCPP runtime state in the ``stations`` table (docs/dynamodb.md).

| item | pk | sk | TTL |
|---|---|---|---|
| the station: password hash, boot facts, last seen | ``STATION#<id>`` | ``STATION`` | – |
| its current WebSocket connection | ``STATION#<id>`` | ``CONNECTION`` | 3 h (API Gateway closes at 2 h) |
| failed authentications in one window (throttling) | ``STATION#<id>`` | ``AUTHFAIL#<window>`` | 2 windows |

The stations' liveness items (last seen, disconnected, marked offline) share this table in their own
partition: ``ocpp.liveness_repository``; a handled message's receipt (retransmissions) is in the
station's partition: ``ocpp.receipt_repository``. The connection item is written (and deleted) by the
connect and disconnect handlers, in ``ocpp.connection_repository``; the call the hub sent and awaits, in
``ocpp.call_repository``. Both delete items, so they are apart from the reads here, which every feature
may load (through ``ocpp.api``): a function's DynamoDB grants follow the modules it can load
(infra/grants.py), and only the station path may delete from the table.

TTL only cleans up: nothing reads ``expires_at`` as a validity flag.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mobie_hub.core.dynamodb import dynamodb_resource, table
from mobie_hub.core.types import format_datetime, parse_datetime

TABLE = "stations"
STATION = "STATION"
CONNECTION = "CONNECTION"
CONNECTION_TTL = timedelta(hours=3)


def station_pk(station_id: str) -> str:
    return f"STATION#{station_id}"


def key(station_id: str, sk: str) -> dict[str, str]:
    return {"pk": station_pk(station_id), "sk": sk}


def epoch(value: datetime) -> int:
    return int(value.timestamp())


# --- the station ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StationRecord:
    station_id: str
    password_hash: str | None = None
    boot: dict[str, Any] = field(default_factory=dict)
    last_seen: datetime | None = None


def get_station(station_id: str) -> StationRecord | None:
    item = table(TABLE).get_item(Key=key(station_id, STATION), ConsistentRead=True).get("Item")
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
    keys = [key(station_id, STATION), key(station_id, _failures_sk(window))]
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
        Key=key(station_id, _failures_sk(window)),
        UpdateExpression="ADD failures :one SET expires_at = if_not_exists(expires_at, :expires)",
        ExpressionAttributeValues={":one": 1, ":expires": expires_at},
        ReturnValues="UPDATED_NEW",
    )
    return int(response["Attributes"]["failures"])


def set_password_hash(station_id: str, password_hash: str | None, now: datetime) -> None:
    """Store (or with None remove) the station's password hash: one UpdateItem."""
    if password_hash is None:
        table(TABLE).update_item(Key=key(station_id, STATION), UpdateExpression="REMOVE password_hash")
        return
    table(TABLE).update_item(
        Key=key(station_id, STATION),
        UpdateExpression="SET password_hash = :hash, password_set_at = :now",
        ExpressionAttributeValues={":hash": password_hash, ":now": format_datetime(now)},
    )


def record_boot(station_id: str, now: datetime, boot: dict[str, Any]) -> None:
    """BootNotification's facts on the station item: one UpdateItem (last seen: ``record_seen``)."""
    table(TABLE).update_item(
        Key=key(station_id, STATION),
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


def get_connection(station_id: str) -> StationConnection | None:
    item = table(TABLE).get_item(Key=key(station_id, CONNECTION), ConsistentRead=True).get("Item")
    if item is None:
        return None
    return StationConnection(station_id, item["connection_id"], parse_datetime(item["connected_at"]))


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
