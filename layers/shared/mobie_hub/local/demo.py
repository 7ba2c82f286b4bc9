"""Demo data for ``make run``: real-looking Lisbon and Porto stations (one private) with tariffs,
loaded through the same import path as ``mobie-hub tariffs import`` / ``locations import``."""

from __future__ import annotations

import json
from importlib import resources

from mobie_hub.logic.station_registry import import_locations, import_tariffs
from mobie_hub.repositories.locations import DynamoLocationStore
from mobie_hub.repositories.tariffs import DynamoTariffStore


def _read(name: str) -> list:
    return json.loads(resources.files("mobie_hub.data.demo").joinpath(name).read_text(encoding="utf-8"))


def load_demo_data() -> dict[str, int]:
    """Tariffs first: connectors must reference tariffs that exist."""
    tariffs = import_tariffs(_read("tariffs.json"), DynamoTariffStore())
    locations = import_locations(_read("locations.json"), DynamoLocationStore(), DynamoTariffStore())
    return {"tariffs": len(tariffs.created) + len(tariffs.updated), "locations": len(locations.created)}
