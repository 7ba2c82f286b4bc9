"""Each station's liveness in the ``stations`` table (docs/dynamodb.md; ``ocpp.watchdog`` decides):

| item | pk | sk | TTL |
|---|---|---|---|
| last seen, disconnected, marked offline, last known EVSE statuses, unconfigured | ``LIVENESS`` | ``STATION#<id>`` | – |

The liveness items share one partition so that the watchdog finds every silent or disconnected
station with one Query (no index, no Scan). A heartbeat writes only that item (one UpdateItem); the
partition takes up to 1000 writes/s, i.e. 300,000 stations at a heartbeat every 300 s (1.8 million
at the 1800 s the hub sets once a station accepts WebSocket pings). The station's connection, which
the marking transaction checks, is ``ocpp.repository``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mobie_hub.core import transact
from mobie_hub.core.dynamodb import table
from mobie_hub.core.types import format_datetime, parse_datetime
from mobie_hub.ocpp.repository import CONNECTION, CONNECTION_TTL, TABLE, station_pk


def _connection_key(station_id: str) -> dict[str, str]:
    return {"pk": station_pk(station_id), "sk": CONNECTION}


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


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


def _update_if(station_id: str, update: str, condition: str, values: dict[str, Any]) -> bool:
    """One conditional UpdateItem of the station's liveness item; False when the condition failed."""
    stations = table(TABLE)
    try:
        stations.update_item(
            Key=_liveness_key(station_id),
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
        )
    except stations.meta.client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def mark_unconfigured(station_id: str) -> None:
    """A configuration call could not be sent (the station was busy with another call): its next
    Heartbeat starts the chain again (``ocpp.configuration``). One conditional UpdateItem, only on a
    station the hub has seen (no liveness item is created for an unknown one)."""
    _update_if(station_id, "SET unconfigured = :true", "attribute_exists(station_id)", {":true": True})


def get_liveness(station_id: str) -> Liveness | None:
    item = table(TABLE).get_item(Key=_liveness_key(station_id), ConsistentRead=True).get("Item")
    return _liveness(item) if item else None


def record_disconnected(station_id: str, now: datetime) -> int | None:
    """The station's current connection ended: its disconnect time (epoch s, returned) on the liveness
    item, for the sweep to mark it offline once the grace has passed. One conditional UpdateItem; None
    when the station is marked offline already (nothing to wait for). A later disconnect overwrites
    it, a reconnect leaves it (the sweep checks the connection and clears it)."""
    disconnected = _epoch(now)
    recorded = _update_if(
        station_id, "SET station_id = :id, disconnected = :disconnected", "attribute_not_exists(offline_at)",
        {":id": station_id, ":disconnected": disconnected},
    )
    return disconnected if recorded else None


def clear_disconnected(station_id: str, disconnected: int) -> None:
    """The station reconnected within the grace: forget that disconnect, unless a later one replaced it
    (one conditional UpdateItem; a lost race leaves the later disconnect to its own grace)."""
    _update_if(station_id, "REMOVE disconnected", "disconnected = :disconnected", {":disconnected": disconnected})


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
            TABLE, _connection_key(station_id), "attribute_not_exists(pk)", name=CONNECTION_ACTION
        )
    return transact.condition_check(
        TABLE,
        _connection_key(station_id),
        "attribute_not_exists(pk) OR expires_at <= :expires",
        name=CONNECTION_ACTION,
        ExpressionAttributeValues={":expires": _epoch(cutoff + CONNECTION_TTL)},
    )
