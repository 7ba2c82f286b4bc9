"""The key of a Location's item in the ``locations`` table (docs/dynamodb.md), shared by its stores:
``locations.repository`` (the registry and the sender; ``locations.station_repository`` builds on it)
and ``locations.document_repository`` (the view's read)."""

from __future__ import annotations

from mobie_hub.core.identifiers import cistring_key

SK = "LOC"


def location_pk(location_id: str) -> str:
    """OCPI ids are CiStrings: the key is upper-cased, so ``lsb-00175`` finds ``LSB-00175``."""
    return f"LOC#{cistring_key(location_id)}"
