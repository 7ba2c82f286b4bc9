"""Issue #12 finding 9: locally, a slow EMSP delayed everyone's pushes (B's CDR arrived 6.9 s late
while A timed out), because one event's pushes ran one party after the other. In AWS each push is
its own Lambda in a Map; locally each party now has its own lane. Since issue #18 a Location's
recipients are pushed in batches called at once (a thread a party), and different Locations' fan-outs
run side by side (local/pipeline.SerialByKey), so a slow EMSP still delays only its own pushes."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from mobie_hub.core.settings import get_settings
from mobie_hub.locations.inventory_repository import DynamoLocationStore
from mobie_hub.locations.registry import import_locations
from mobie_hub.parties.party import Registration
from mobie_hub.parties.repository import save
from mobie_hub.tariffs.registry_repository import DynamoTariffStore
from tests.support.fake_party import FakeParty, fake_party
from tests.support.parties import register_receiver
from tests.support.stations import location

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

STATIONS = ["SLW-00001", "SLW-00002", "SLW-00003"]  # stations of this test only


@pytest.fixture
def emsps() -> Iterator[tuple[FakeParty, FakeParty]]:
    """EMSP "SEA" (first in the recipients' order) that never answers in time, and "SEB" that does;
    both unregistered again afterwards, so no later test pushes to them."""
    with fake_party() as slow, fake_party() as prompt:
        slow.delay = 3 * get_settings().outbound_timeout_seconds  # far past the hub's outbound timeout
        registered = [register_receiver(slow.base_url, "SEA"), register_receiver(prompt.base_url, "SEB")]
        try:
            yield slow, prompt
        finally:
            for party in registered:
                save(
                    party.model_copy(update={"registration": Registration.UNREGISTERED}),
                    expected_revision=party.revision,
                )


def test_a_slow_emsp_delays_only_its_own_pushes(hub, emsps):
    slow, prompt = emsps
    timeout = get_settings().outbound_timeout_seconds
    # When three stations are published one after the other (each is pushed to both EMSPs)
    started = time.monotonic()
    for station in STATIONS:
        import_locations([location(station, tariff_id="MOB-AC-NORMAL")], DynamoLocationStore(), DynamoTariffStore())

    # Then the prompt EMSP has all three (different Locations: pushed side by side, in no set order,
    # as their fan-out executions run in AWS), well before the slow one's first push times out
    received = prompt.wait_for(len(STATIONS), timeout=timeout)
    elapsed = time.monotonic() - started
    assert sorted(r.path.rsplit("/", 1)[-1] for r in received if r.method == "PUT") == STATIONS
    # (typically well under a second; waiting behind the slow one would take the whole timeout)
    assert elapsed < 0.8 * timeout, f"the prompt EMSP waited {elapsed:.1f} s (outbound timeout {timeout} s)"
    # And the slow one did get its first push (it is just slow to answer)
    assert slow.wait_for(1, timeout=5)
