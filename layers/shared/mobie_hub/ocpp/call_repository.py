"""The call the hub sent a station and awaits the answer to (``STATION#<id>`` / ``CALL``, one per station,
docs/dynamodb.md): recorded when sent, deleted (taken) when its answer arrives or its connection
closes. Its ``deadline`` is read: after it another call may take its place (the item's TTL, 1 day,
only cleans up). Apart from ``ocpp.repository`` because taking a call deletes the item, and only the
station path may delete from the table (a function's DynamoDB grants follow the modules it can load,
infra/grants.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mobie_hub.core import stream_images
from mobie_hub.core.dynamodb import table
from mobie_hub.core.types import format_datetime, parse_datetime
from mobie_hub.ocpp.repository import TABLE, epoch, key

CALL = "CALL"
CALL_TTL = timedelta(days=1)


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
                **key(call.station_id, CALL),
                "message_id": call.message_id,
                "action": call.action,
                "connection_id": call.connection_id,
                "sent_at": format_datetime(call.sent_at),
                "deadline": epoch(call.deadline),
                "context": json.dumps(call.context, separators=(",", ":")),
                "expires_at": epoch(call.sent_at + CALL_TTL),
            },
            ConditionExpression="attribute_not_exists(pk) OR deadline < :now",
            ExpressionAttributeValues={":now": epoch(call.sent_at)},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except stations.meta.client.exceptions.ConditionalCheckFailedException as exc:
        old = exc.response.get("Item")
        if old:
            return _pending(call.station_id, stream_images.plain(old))
        return get_pending_call(call.station_id) or call
    return None


def get_pending_call(station_id: str) -> PendingCall | None:
    item = table(TABLE).get_item(Key=key(station_id, CALL), ConsistentRead=True).get("Item")
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
            Key=key(station_id, CALL),
            ConditionExpression=condition,
            ReturnValues="ALL_OLD",
            **({"ExpressionAttributeValues": values} if values else {}),
        )
    except stations.meta.client.exceptions.ConditionalCheckFailedException:
        return None
    old = response.get("Attributes")
    return _pending(station_id, old) if old else None
