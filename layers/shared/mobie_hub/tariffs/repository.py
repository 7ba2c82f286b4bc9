"""OCPI Tariffs in the ``tariffs`` table (docs/dynamodb.md).

Item: pk=``TARIFF#<cc>#<pid>#<id>``, sk=``TARIFF``, ``doc``, and the list keys gsi1/gsi2 =
``TARIFF`` / ``<last_updated>#<cc>#<pid>#<id>`` (every tariff is listed: current and historical).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mobie_hub.core import documents
from mobie_hub.core.dynamodb import batch_get, table
from mobie_hub.core.keys import sortable_time
from mobie_hub.core.listing import ListIndex, query_page
from mobie_hub.core.paging import Page, PageRequest
from mobie_hub.tariffs.models import Tariff

SK = "TARIFF"
LISTED = ListIndex("tariffs", "TARIFF")
TariffKey = tuple[str, str, str]


def tariff_pk(country_code: str, party_id: str, tariff_id: str) -> str:
    return f"TARIFF#{country_code.upper()}#{party_id.upper()}#{tariff_id}"


def tariff_item(tariff: Tariff) -> dict[str, Any]:
    last_updated = sortable_time(tariff.last_updated)
    list_key = f"{last_updated}#{tariff.country_code}#{tariff.party_id}#{tariff.id}"
    return {
        "pk": tariff_pk(tariff.country_code, tariff.party_id, tariff.id),
        "sk": SK,
        "last_updated": last_updated,
        "gsi1pk": LISTED.partition, "gsi1sk": list_key,
        "gsi2pk": LISTED.partition, "gsi2sk": list_key,
        "doc": documents.encode(tariff),
    }


def put_tariff(tariff: Tariff) -> None:
    table("tariffs").put_item(Item=tariff_item(tariff))


def get_tariff(country_code: str, party_id: str, tariff_id: str) -> Tariff | None:
    key = {"pk": tariff_pk(country_code, party_id, tariff_id), "sk": SK}
    item = table("tariffs").get_item(Key=key).get("Item")
    return documents.decode(item, Tariff) if item else None


def get_tariffs(keys: Iterable[TariffKey]) -> dict[TariffKey, Tariff]:
    wanted = [{"pk": tariff_pk(*key), "sk": SK} for key in dict.fromkeys(keys)]
    tariffs = (documents.decode(item, Tariff) for item in batch_get("tariffs", wanted))
    return {(t.country_code, t.party_id, t.id): t for t in tariffs}


def put_tariffs(tariffs: list[Tariff]) -> None:
    with table("tariffs").batch_writer() as batch:
        for tariff in tariffs:
            batch.put_item(Item=tariff_item(tariff))


def tariffs_page(page: PageRequest) -> Page[Tariff]:
    raw = query_page(LISTED, page)
    return Page([documents.decode(i, Tariff) for i in raw.items], raw.total, raw.next_cursor)


class DynamoTariffStore:
    """The station registry's TariffStore port on DynamoDB."""

    get_many = staticmethod(get_tariffs)
    put_many = staticmethod(put_tariffs)

    @staticmethod
    def existing(keys: Iterable[TariffKey]) -> set[TariffKey]:
        return set(get_tariffs(keys))
