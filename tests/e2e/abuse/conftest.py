"""Fixtures of the abuse tests (issue #12), beside the e2e ``hub`` and ``hub_store``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mobie_hub.core.types import utcnow
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.station_auth import basic_header, hash_password

STATION = "LSB-01033"  # a demo station the abuse tests connect as
_PASSWORD = "abuse-tests-station-password"


@pytest.fixture
def station_authorization(hub_store) -> Iterator[str]:
    """The ``Authorization`` header of ``STATION``: stations authenticate (HTTP Basic), so it gets a
    known password for the test, and its own back after."""
    before = stations.get_station(STATION)
    stations.set_password_hash(STATION, hash_password(_PASSWORD.encode()), utcnow())
    yield basic_header(STATION, _PASSWORD)
    stations.set_password_hash(STATION, before.password_hash if before else None, utcnow())
