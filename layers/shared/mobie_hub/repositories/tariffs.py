"""OCPI Tariffs in the ``tariffs`` table (docs/dynamodb.md).

Item: pk=``TARIFF#<cc>#<pid>#<id>``, sk=``TARIFF``, ``doc``, gsi1pk=``TARIFF`` /
gsi1sk=``<last_updated>#<cc>#<pid>#<id>`` for the list by last update.
"""

from __future__ import annotations

from typing import Any

from mobie_hub.models.tariffs import Tariff
from mobie_hub.repositories import documents
from mobie_hub.repositories.dynamodb import table
from mobie_hub.repositories.keys import sortable_time

SK = "TARIFF"


def tariff_pk(country_code: str, party_id: str, tariff_id: str) -> str:
    return f"TARIFF#{country_code.upper()}#{party_id.upper()}#{tariff_id}"


def tariff_item(tariff: Tariff) -> dict[str, Any]:
    last_updated = sortable_time(tariff.last_updated)
    return {
        "pk": tariff_pk(tariff.country_code, tariff.party_id, tariff.id),
        "sk": SK,
        "last_updated": last_updated,
        "gsi1pk": SK,
        "gsi1sk": f"{last_updated}#{tariff.country_code}#{tariff.party_id}#{tariff.id}",
        "doc": documents.encode(tariff),
    }


def put_tariff(tariff: Tariff) -> None:
    table("tariffs").put_item(Item=tariff_item(tariff))


def get_tariff(country_code: str, party_id: str, tariff_id: str) -> Tariff | None:
    key = {"pk": tariff_pk(country_code, party_id, tariff_id), "sk": SK}
    item = table("tariffs").get_item(Key=key).get("Item")
    return documents.decode(item, Tariff) if item else None
