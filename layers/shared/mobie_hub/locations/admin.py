"""``mobie-hub locations import FILE`` / ``mobie-hub tariffs import FILE``: the station registry."""

from __future__ import annotations

from typing import Any

from mobie_hub.admin.registry import operation
from mobie_hub.core.errors import InvalidRequest
from mobie_hub.locations.registry import import_locations, import_tariffs
from mobie_hub.locations.repository import DynamoLocationStore
from mobie_hub.tariffs.api import DynamoTariffStore


def _objects(payload: dict[str, Any], key: str) -> Any:
    if key not in payload:
        raise InvalidRequest(f"payload must carry '{key}': the JSON array read from the file")
    return payload[key]


@operation("locations.import")
def locations_import(payload: dict[str, Any]) -> dict[str, Any]:
    return import_locations(_objects(payload, "locations"), DynamoLocationStore(), DynamoTariffStore()).as_dict()


@operation("tariffs.import")
def tariffs_import(payload: dict[str, Any]) -> dict[str, Any]:
    return import_tariffs(_objects(payload, "tariffs"), DynamoTariffStore()).as_dict()
