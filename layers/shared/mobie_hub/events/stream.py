"""DynamoDB stream records → domain events. The same function is the EventBridge Pipe's enrichment
in AWS and the local stream poller's converter, so both run identical logic.

Records are routed by the item's key prefix (``LOC#`` …), not the table name, so the function does
not care how tables are named in a deployment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.locations import location_events
from mobie_hub.models.locations import MobieLocation

_deserializer = TypeDeserializer()


def _image(record: dict[str, Any], which: str) -> dict[str, Any] | None:
    image = record.get("dynamodb", {}).get(which)
    return {k: _deserializer.deserialize(v) for k, v in image.items()} if image else None


def _location(item: dict[str, Any] | None) -> MobieLocation | None:
    return MobieLocation.model_validate_json(item["doc"]) if item and "doc" in item else None


Converter = Callable[[dict[str, Any] | None, dict[str, Any] | None], list[DomainEvent]]

CONVERTERS: dict[str, Converter] = {
    "LOC#": lambda old, new: location_events(_location(old), _location(new)),
}


def events_from_records(records: Iterable[dict[str, Any]]) -> list[DomainEvent]:
    events: list[DomainEvent] = []
    for record in records:
        old, new = _image(record, "OldImage"), _image(record, "NewImage")
        key = str((new or old or {}).get("pk", ""))
        converter = next((c for prefix, c in CONVERTERS.items() if key.startswith(prefix)), None)
        if converter is not None:
            events.extend(converter(old, new))
    return events
