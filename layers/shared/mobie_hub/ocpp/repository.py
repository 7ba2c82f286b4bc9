"""OCPP runtime state in the ``stations`` table (docs/dynamodb.md).

| item | pk | sk | TTL |
|---|---|---|---|
| the station: password hash, boot facts, last seen | ``STATION#<id>`` | ``STATION`` | – |
| its current WebSocket connection | ``STATION#<id>`` | ``CONNECTION`` | 3 h (API Gateway closes at 2 h) |
| the call the hub sent and awaits (one per station) | ``STATION#<id>`` | ``CALL`` | 1 day |
| a handled message and its answer (retransmissions) | ``STATION#<id>`` | ``MSG#<message id>`` | 1 day |
| failed authentications in one window (throttling) | ``STATION#<id>`` | ``AUTHFAIL#<window>`` | 2 windows |
| its liveness: last seen, disconnected, marked offline, last known EVSE statuses | ``LIVENESS`` | ``STATION#<id>`` | – |

The liveness items share one partition so that the watchdog finds every silent or disconnected
station with one Query (``ocpp.watchdog``; no index, no Scan). A heartbeat writes only that item (one UpdateItem, as
before on the station item); the partition takes up to 1000 writes/s, i.e. 300,000 stations at a
heartbeat every 300 s.

TTL only cleans up: nothing reads ``expires_at`` as a validity flag, except the pending call's
``deadline``, after which another call may take its place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mobie_hub.core import stream_images, transact
from mobie_hub.core.dynamodb import dynamodb_resource, table
from mobie_hub.core.types import format_datetime, parse_datetime
from mobie_hub.ocpp.ports import Receipt

TABLE = "stations"
STATION = "STATION"
CONNECTION = "CONNECTION"
CALL = "CALL"
CONNECTION_TTL = timedelta(hours=3)
CALL_TTL = timedelta(days=1)
RECEIPT_TTL = timedelta(days=1)


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


# --- liveness (the heartbeat watchdog, ocpp.watchdog) ---------------------------------------------------
LIVENESS = "LIVENESS"
OFFLINE_ACTION = "liveness"  # their names in the transaction that marks a station offline
CONNECTION_ACTION = "connection"


def _liveness_key(station_id: str) -> dict[str, str]:
    return {"pk": LIVENESS, "sk": station_pk(station_id)}


@dataclass(frozen=True)
class Liveness:
    station_id: str
    last_seen: datetime | None = None
    offline_at: datetime | None = None  # set when its EVSEs were marked UNKNOWN; cleared when seen again
    disconnected_at: datetime | None = None  # its current connection ended (the grace runs); see below
    known: dict[str, str] = field(default_factory=dict)  # EVSE uid → OCPI status before it was marked

    @property
    def offline(self) -> bool:
        return self.offline_at is not None


def _liveness(item: dict[str, Any]) -> Liveness:
    return Liveness(
        station_id=item["station_id"],
        last_seen=parse_datetime(item["last_seen"]) if "last_seen" in item else None,
        offline_at=parse_datetime(item["offline_at"]) if "offline_at" in item else None,
        disconnected_at=(
            datetime.fromtimestamp(int(item["disconnected"]), tz=UTC) if "disconnected" in item else None
        ),
        known=dict(item.get("known") or {}),
    )


@dataclass(frozen=True)
class SeenBefore:
    """What a station's liveness item said before this message: marked offline; booted and not yet
    configured (``ocpp.configuration``)."""

    offline: bool
    unconfigured: bool


def record_seen(station_id: str, now: datetime, *, booted: bool = False) -> SeenBefore:
    """Heartbeat and BootNotification: the station is alive. One UpdateItem (its old image comes back
    at no cost) that clears ``offline_at``; a boot marks the station unconfigured, a Heartbeat clears it."""
    values: dict[str, Any] = {":id": station_id, ":now": format_datetime(now), ":epoch": _epoch(now)}
    if booted:
        values[":true"] = True
    response = table(TABLE).update_item(
        Key=_liveness_key(station_id),
        UpdateExpression="SET station_id = :id, last_seen = :now, seen = :epoch"
        + (", unconfigured = :true REMOVE offline_at" if booted else " REMOVE offline_at, unconfigured"),
        ExpressionAttributeValues=values,
        ReturnValues="ALL_OLD",
    )
    old = response.get("Attributes", {})
    return SeenBefore(offline="offline_at" in old, unconfigured=bool(old.get("unconfigured")))


def mark_unconfigured(station_id: str) -> None:
    """A configuration call could not be sent (the station was busy with another call): its next
    Heartbeat starts the chain again (``ocpp.configuration``). One conditional UpdateItem, only on a
    station the hub has seen (no liveness item is created for an unknown one)."""
    stations = table(TABLE)
    try:
        stations.update_item(
            Key=_liveness_key(station_id),
            UpdateExpression="SET unconfigured = :true",
            ConditionExpression="attribute_exists(station_id)",
            ExpressionAttributeValues={":true": True},
        )
    except stations.meta.client.exceptions.ConditionalCheckFailedException:
        pass


def get_liveness(station_id: str) -> Liveness | None:
    item = table(TABLE).get_item(Key=_liveness_key(station_id), ConsistentRead=True).get("Item")
    return _liveness(item) if item else None


def record_disconnected(station_id: str, now: datetime) -> int | None:
    """The station's current connection ended: its disconnect time (epoch s, returned) on the liveness
    item, for the sweep to mark it offline once the grace has passed. One conditional UpdateItem; None
    when the station is marked offline already (nothing to wait for). A later disconnect overwrites
    it, a reconnect leaves it (the sweep checks the connection and clears it)."""
    disconnected = _epoch(now)
    stations = table(TABLE)
    try:
        stations.update_item(
            Key=_liveness_key(station_id),
            UpdateExpression="SET station_id = :id, disconnected = :disconnected",
            ConditionExpression="attribute_not_exists(offline_at)",
            ExpressionAttributeValues={":id": station_id, ":disconnected": disconnected},
        )
    except stations.meta.client.exceptions.ConditionalCheckFailedException:
        return None
    return disconnected


def clear_disconnected(station_id: str, disconnected: int) -> None:
    """The station reconnected within the grace: forget that disconnect, unless a later one replaced it
    (one conditional UpdateItem; a lost race leaves the later disconnect to its own grace)."""
    stations = table(TABLE)
    try:
        stations.update_item(
            Key=_liveness_key(station_id),
            UpdateExpression="REMOVE disconnected",
            ConditionExpression="disconnected = :disconnected",
            ExpressionAttributeValues={":disconnected": disconnected},
        )
    except stations.meta.client.exceptions.ConditionalCheckFailedException:
        pass


@dataclass(frozen=True)
class Unheard:
    """A station not marked offline yet that was last seen at ``seen`` (epoch s; None: never) and, when
    ``disconnected`` is set, whose connection ended then (epoch s) with no reconnect noticed yet."""

    station_id: str
    seen: int | None
    disconnected: int | None = None

    def silent_before(self, cutoff: datetime) -> bool:
        return self.seen is not None and self.seen < _epoch(cutoff)

    def disconnected_before(self, cutoff: datetime) -> bool:
        return self.disconnected is not None and self.disconnected < _epoch(cutoff)


def unheard_since(silent: datetime, disconnected: datetime) -> list[Unheard]:
    """Stations not marked offline and either last seen before ``silent`` or disconnected before
    ``disconnected``: one Query of the liveness partition (1 MB pages; read units count every item of
    the partition, ~150 bytes each, the filter only shortens the answer)."""
    stations = table(TABLE)
    request: dict[str, Any] = {
        "KeyConditionExpression": "pk = :pk",
        "FilterExpression": "attribute_not_exists(offline_at) AND (seen < :silent OR disconnected < :gone)",
        "ExpressionAttributeValues": {":pk": LIVENESS, ":silent": _epoch(silent), ":gone": _epoch(disconnected)},
        "ProjectionExpression": "station_id, seen, disconnected",
    }
    found: list[Unheard] = []
    while True:
        response = stations.query(**request)
        found.extend(
            Unheard(
                item["station_id"],
                int(item["seen"]) if "seen" in item else None,
                int(item["disconnected"]) if "disconnected" in item else None,
            )
            for item in response.get("Items", [])
        )
        if "LastEvaluatedKey" not in response:
            return found
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def offline_action(
    station_id: str,
    now: datetime,
    known: dict[str, str],
    *,
    seen: int | None = None,
    disconnected: int | None = None,
) -> transact.Action:
    """The Update that marks the station offline, keeping the statuses its EVSEs had (``known``, when
    any EVSE changed), and forgetting its disconnect. Only if it is not marked yet and, with ``seen``,
    no heartbeat came since; with ``disconnected``, no later disconnect replaced that one."""
    expression = "SET station_id = :id, offline_at = if_not_exists(offline_at, :now)"
    values: dict[str, Any] = {":id": station_id, ":now": format_datetime(now)}
    if known:
        expression += ", known = :known"
        values[":known"] = known
    expression += " REMOVE disconnected"
    conditions = ["attribute_not_exists(offline_at)"]
    if seen is not None:
        conditions.append("seen = :seen")
        values[":seen"] = seen
    if disconnected is not None:
        conditions.append("disconnected = :disconnected")
        values[":disconnected"] = disconnected
    condition = " AND ".join(conditions)
    return transact.update(
        TABLE,
        _liveness_key(station_id),
        expression,
        condition,
        name=OFFLINE_ACTION,
        ExpressionAttributeValues=values,
    )


def no_connection_since(station_id: str, cutoff: datetime | None = None) -> transact.Action:
    """The ConditionCheck that the station has no connection (None), or none opened after ``cutoff``
    (a station that reconnected may report before its first heartbeat)."""
    if cutoff is None:
        return transact.condition_check(
            TABLE, _key(station_id, CONNECTION), "attribute_not_exists(pk)", name=CONNECTION_ACTION
        )
    return transact.condition_check(
        TABLE,
        _key(station_id, CONNECTION),
        "attribute_not_exists(pk) OR expires_at <= :expires",
        name=CONNECTION_ACTION,
        ExpressionAttributeValues={":expires": _epoch(cutoff + CONNECTION_TTL)},
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


# --- receipts (retransmitted message ids) ------------------------------------------------------
RECEIPT_ACTION = "receipt"  # its name in a transaction


def receipt_action(receipt: Receipt, now: datetime) -> transact.Action:
    """The Put of a receipt, for the transaction that applies the message's effects: it fails when
    the message id was handled before, and then returns the stored receipt (no extra read)."""
    return transact.put(
        TABLE,
        {
            **_key(receipt.station_id, f"MSG#{receipt.message_id}"),
            "action": receipt.action,
            "response": json.dumps(receipt.response, separators=(",", ":")),
            "received_at": format_datetime(now),
            "expires_at": _epoch(now + RECEIPT_TTL),
        },
        "attribute_not_exists(pk)",
        name=RECEIPT_ACTION,
        return_old=True,
    )


def stored_response(item: dict[str, Any] | None, station_id: str, message_id: str) -> dict[str, Any]:
    """The answer a receipt holds (read again only if the cancellation did not carry the item)."""
    if item is None:
        item = (
            table(TABLE).get_item(Key=_key(station_id, f"MSG#{message_id}"), ConsistentRead=True).get("Item")
        )
    return json.loads(item["response"]) if item else {}


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
