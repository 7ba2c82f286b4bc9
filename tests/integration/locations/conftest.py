"""The Locations the sender tests read (``stations``), and the push pipeline run by hand (``pushed``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mobie_hub.events.stream import events_from_records
from mobie_hub.local.pipeline import fan_out
from mobie_hub.local.streams import StreamPoller
from mobie_hub.locations.inventory_repository import put_locations
from mobie_hub.locations.models import MobieLocation
from mobie_hub.locations.registry import import_tariffs
from mobie_hub.tariffs.registry_repository import DynamoTariffStore
from tests.support.stations import T0, hourly_locations, location, tariff


@pytest.fixture
def stations(aws, monkeypatch):
    """25 published stations (n-th updated at T0 + n h) and one private; no cache, no rate limit."""
    monkeypatch.setenv("MOBIE_LIST_CACHE_SECONDS", "0")
    monkeypatch.setenv("MOBIE_FULL_LIST_INTERVAL_SECONDS", "0")
    monkeypatch.setenv("MOBIE_MAX_PAGE_LIMIT", "10")
    from mobie_hub.core.settings import get_settings

    get_settings.cache_clear()
    import_tariffs([tariff()], DynamoTariffStore())
    private = location("PRV-00001", publish=False, last_updated=T0 + timedelta(hours=3, minutes=30))
    # Stored directly with fixed times (an import stamps new stations with the import time).
    put_locations([MobieLocation.model_validate(s) for s in [*hourly_locations(25), private]])


@pytest.fixture
def pushed(aws):
    """Run the pipeline by hand: every stream record read becomes events, fanned out synchronously."""
    outcomes: list[dict] = []
    poller = StreamPoller(lambda records: [outcomes.extend(fan_out(e)) for e in events_from_records(records)])
    import_tariffs([tariff()], DynamoTariffStore())

    def flush() -> list[dict]:
        poller.poll_once()
        return outcomes

    return flush
