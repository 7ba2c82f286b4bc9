"""A Location's item in the ``locations`` table (docs/dynamodb.md): its key, and its stored document
read as it is, for the readers that need a few facts of it and not the Location model
(``locations.view``). The item itself is written by ``locations.repository``."""

from __future__ import annotations

from mobie_hub.core.dynamodb import table
from mobie_hub.core.identifiers import cistring_key

SK = "LOC"


def location_pk(location_id: str) -> str:
    """OCPI ids are CiStrings: the key is upper-cased, so ``lsb-00175`` finds ``LSB-00175``."""
    return f"LOC#{cistring_key(location_id)}"


def get_document(location_id: str) -> str | None:
    """The stored Location as JSON (the ``doc`` attribute, MOBI.E shape), or None: one GetItem."""
    item = table("locations").get_item(Key={"pk": location_pk(location_id), "sk": SK}).get("Item")
    return item["doc"] if item else None
