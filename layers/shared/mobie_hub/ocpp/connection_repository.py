"""The station's WebSocket connection item (``STATION#<id>`` / ``CONNECTION``, docs/dynamodb.md): written
by the connect handler, deleted by the disconnect handler (only while it still names that connection)
and when a call finds the connection gone. Reading it is ``ocpp.repository.get_connection``, which the
other features use through ``ocpp.api``: apart from this module, because a function's DynamoDB grants
follow the modules it can load (infra/grants.py), and only the station path may delete the item.
"""

from __future__ import annotations

from datetime import datetime

from mobie_hub.core.dynamodb import table
from mobie_hub.core.types import format_datetime
from mobie_hub.ocpp.repository import CONNECTION, CONNECTION_TTL, TABLE, epoch, key


def put_connection(station_id: str, connection_id: str, now: datetime) -> str | None:
    """Map the station to its new connection; returns the connection id it replaces, if any."""
    response = table(TABLE).put_item(
        Item={
            **key(station_id, CONNECTION),
            "connection_id": connection_id,
            "connected_at": format_datetime(now),
            "expires_at": epoch(now + CONNECTION_TTL),
        },
        ReturnValues="ALL_OLD",
    )
    previous = response.get("Attributes", {}).get("connection_id")
    return previous if previous != connection_id else None


def delete_connection(station_id: str, connection_id: str) -> bool:
    """Remove the mapping only if it still names ``connection_id`` (a reconnect overtakes a late
    disconnect). True when removed."""
    stations = table(TABLE)
    try:
        stations.delete_item(
            Key=key(station_id, CONNECTION),
            ConditionExpression="connection_id = :connection",
            ExpressionAttributeValues={":connection": connection_id},
        )
    except stations.meta.client.exceptions.ConditionalCheckFailedException:
        return False
    return True
