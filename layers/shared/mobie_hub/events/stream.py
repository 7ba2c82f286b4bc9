"""DynamoDB stream records → domain events. The same function is the EventBridge Pipe's enrichment
in AWS and the local stream poller's converter, so both run identical logic.

Records are routed by the item's key prefix (``LOC#`` …), not the table name, so the function does
not care how tables are named in a deployment. ``STREAM_FILTERS`` are the records that can yield an
event (the Pipes' source filter: no invocation for the rest, e.g. METER facts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mobie_hub.cdrs.models import MobieCdr
from mobie_hub.core import stream_images
from mobie_hub.events.cdrs import cdr_events
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.locations import location_events
from mobie_hub.events.sessions import reading_events, session_events
from mobie_hub.locations.models import MobieLocation
from mobie_hub.sessions.api import party_attribute
from mobie_hub.sessions.models import Session


def _location(item: dict[str, Any] | None) -> MobieLocation | None:
    return MobieLocation.model_validate_json(item["doc"]) if item and "doc" in item else None


def _session(item: dict[str, Any] | None) -> Session | None:
    return Session.model_validate_json(item["doc"]) if item and "doc" in item else None


def _cdr(item: dict[str, Any] | None) -> MobieCdr | None:
    return MobieCdr.model_validate_json(item["doc"]) if item and "doc" in item else None


Converter = Callable[[dict[str, Any] | None, dict[str, Any] | None], list[DomainEvent]]

CONVERTERS: dict[str, Converter] = {
    "LOC#": lambda old, new: location_events(_location(old), _location(new)),
    "SESSION#": lambda old, new: session_events(
        _session(old), _session(new), (new or {}).get("owner"), party_attribute((new or {}).get("cpo"))
    ),
    # A TX item's write a reading opened a push window with (the Pipe's filter lets only those through).
    "TX#": reading_events,
    "CDR#": lambda old, new: cdr_events(_cdr(old), _cdr(new), (new or {}).get("cpo")),
}
# The Pipes' source filters (EventBridge patterns, any one matches): the converters' items by key
# prefix, but a TX item (its METER facts share its pk) only in a write marked ``window_opened``.
STREAM_FILTERS = (
    {"dynamodb": {"Keys": {"pk": {"S": [{"prefix": p} for p in sorted(CONVERTERS) if p != "TX#"]}}}},
    {"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "TX#"}]}, "sk": {"S": ["TX"]}},
                  "NewImage": {"window_opened": {"N": [{"exists": True}]}}}},
)
# The tables whose streams feed the converters (in AWS: one EventBridge Pipe each, infra/constructs/events.py).
SOURCE_TABLES = ("locations", "sessions", "cdrs")
# A Pipe puts one record's events on the bus in one PutEvents, which takes at most 10 entries.
MAX_EVENTS_PER_RECORD = 10


def events_from_records(records: Iterable[dict[str, Any]]) -> list[DomainEvent]:
    events: list[DomainEvent] = []
    for record in records:
        old, new = stream_images.images(record)
        key = str((new or old or {}).get("pk", ""))
        converter = next((c for prefix, c in CONVERTERS.items() if key.startswith(prefix)), None)
        if converter is not None:
            events.extend(converter(old, new))
    return events
