"""A Location's stored document in the ``locations`` table (docs/dynamodb.md), read as it is, for the
readers that need a few facts of it and not the Location model (``locations.view``). The item is
written by ``locations.repository``."""

from __future__ import annotations

from mobie_hub.core.dynamodb import table
from mobie_hub.locations.keys import SK, location_pk


def get_document(location_id: str) -> str | None:
    """The stored Location as JSON (the ``doc`` attribute, MOBI.E shape), or None: one GetItem."""
    item = table("locations").get_item(Key={"pk": location_pk(location_id), "sk": SK}).get("Item")
    return item["doc"] if item else None
