"""Demo data for ``make run``: real-looking Lisbon and Porto stations (one private) with tariffs."""

from __future__ import annotations

import json
from importlib import resources

from pydantic import TypeAdapter

from mobie_hub.models.locations import Location
from mobie_hub.models.tariffs import Tariff
from mobie_hub.repositories.locations import put_location
from mobie_hub.repositories.tariffs import put_tariff


def _read(name: str) -> list:
    return json.loads(resources.files("mobie_hub.data.demo").joinpath(name).read_text(encoding="utf-8"))


def load_demo_data() -> dict[str, int]:
    """Validate the demo files whole, then store them: tariffs first (connectors reference them)."""
    tariffs = TypeAdapter(list[Tariff]).validate_python(_read("tariffs.json"))
    locations = TypeAdapter(list[Location]).validate_python(_read("locations.json"))
    for tariff in tariffs:
        put_tariff(tariff)
    for location in locations:
        put_location(location)
    return {"tariffs": len(tariffs), "locations": len(locations)}
