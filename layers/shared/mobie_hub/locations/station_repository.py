"""A station's Location as the OCPP gateway reads and updates it (``locations`` table, docs/dynamodb.md).

The gateway writes only EVSE statuses, with a condition on the document it read (optimistic
concurrency): a concurrent writer (another StatusNotification, an operator's import) makes the write
fail instead of being overwritten, and the caller reads again. The item is built by
``locations.repository.location_item``, so keys and indexes stay those of every other writer.
"""

from __future__ import annotations

from dataclasses import dataclass

from mobie_hub.core import documents, transact
from mobie_hub.core.dynamodb import table
from mobie_hub.locations.models import Location
from mobie_hub.locations.repository import SK, location_item, location_pk

TABLE = "locations"


@dataclass(frozen=True)
class LocationRevision:
    location: Location
    revision: str  # the stored document, the expected value of the conditional write


def read(location_id: str) -> LocationRevision | None:
    """One strongly consistent GetItem."""
    item = (
        table(TABLE).get_item(Key={"pk": location_pk(location_id), "sk": SK}, ConsistentRead=True).get("Item")
    )
    if item is None:
        return None
    return LocationRevision(documents.decode(item, Location), item["doc"])


def replace(location: Location, *, expected: LocationRevision) -> bool:
    """Write ``location`` if the stored document is still ``expected``'s; False when it changed."""
    locations = table(TABLE)
    try:
        locations.put_item(
            Item=location_item(location),
            ConditionExpression="#doc = :expected",
            ExpressionAttributeNames={"#doc": "doc"},
            ExpressionAttributeValues={":expected": expected.revision},
        )
    except locations.meta.client.exceptions.ConditionalCheckFailedException:
        return False
    return True


LOCATION_ACTION = "location"  # its name in a transaction (``replace_action``)


def replace_action(location: Location, *, expected: LocationRevision) -> transact.Action:
    """``replace`` as one action of a transaction that must write something else with it (the OCPP
    gateway marks a station offline and keeps its last known statuses in one transaction)."""
    return transact.put(
        TABLE,
        location_item(location),
        "#doc = :expected",
        name=LOCATION_ACTION,
        ExpressionAttributeNames={"#doc": "doc"},
        ExpressionAttributeValues={":expected": expected.revision},
    )
