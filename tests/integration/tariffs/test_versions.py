"""Tariff versions and connector references in the tariffs table (moto): the version in force at a
time, tariffs stored before versions existed, and the references the station registry holds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mobie_hub.core.dynamodb import counting_calls, table
from mobie_hub.core.errors import ConflictingWrite
from mobie_hub.core.keys import sortable_time
from mobie_hub.core.models import dump_ocpi
from mobie_hub.locations.inventory_repository import DynamoLocationStore
from mobie_hub.locations.registry import import_locations
from mobie_hub.tariffs import reference_repository, repository
from mobie_hub.tariffs.models import Tariff
from mobie_hub.tariffs.registry_repository import DynamoTariffStore
from tests.support.stations import T0, location, tariff

KEY = ("PT", "GLP", "GLP-AC")


def glp(price: float) -> Tariff:
    return Tariff.model_validate(tariff("GLP-AC", party_id="GLP", price=price))


def price(found: Tariff | None) -> float | None:
    return None if found is None else float(found.elements[0].price_components[0].price)


def test_the_version_in_force_is_the_newest_accepted_at_or_before_the_time(aws):
    repository.accept(glp(0.30), T0)
    repository.accept(glp(0.40), T0 + timedelta(hours=1))
    stored = repository.read(*KEY)
    repository.delete(KEY, stored, T0 + timedelta(hours=2), reference_repository.references(KEY).revision)

    at = {hours: price(repository.version_at(KEY, T0 + timedelta(hours=hours))) for hours in (-1, 0, 0.5, 1, 1.5, 2, 3)}

    assert at == {-1: None, 0: 0.30, 0.5: 0.30, 1: 0.40, 1.5: 0.40, 2: None, 3: None}


def test_pricing_a_cdr_reads_one_query_per_tariff(aws):
    repository.accept(glp(0.30), T0)
    with counting_calls() as calls:
        found = repository.versions_at([KEY, KEY, ("PT", "GLP", "NONE")], T0 + timedelta(minutes=5))

    assert list(found) == [KEY]
    assert calls == {"Query": 2, "GetItem": 1}  # the unknown tariff: its Query, then the legacy look


def legacy_item(tariff: Tariff) -> dict:
    """An item as the hub wrote it before versions existed (no ``versioned``, no VERSION# items)."""
    item = repository.tariff_item(tariff)
    del item["versioned"]
    return item


def test_a_tariff_stored_before_versions_is_in_force_until_its_first_change_keeps_it_as_a_version(aws):
    table("tariffs").put_item(Item=legacy_item(glp(0.25)))  # last_updated T0 (tests.support.stations)

    assert price(repository.version_at(KEY, T0 - timedelta(days=1))) == 0.25  # no version yet: as it is
    repository.accept(glp(0.35), T0 + timedelta(hours=1))

    assert price(repository.version_at(KEY, T0 + timedelta(minutes=30))) == 0.25
    assert price(repository.version_at(KEY, T0 + timedelta(hours=2))) == 0.35
    versions = table("tariffs").query(KeyConditionExpression="pk = :pk AND begins_with(sk, :v)",
                                      ExpressionAttributeValues={":pk": repository.tariff_pk(*KEY), ":v": "VERSION#"})
    assert [v["sk"] for v in versions["Items"]] == [f"VERSION#{sortable_time(T0)}",
                                                    f"VERSION#{sortable_time(T0 + timedelta(hours=1))}"]


def test_a_write_on_a_stale_read_loses_and_the_next_attempt_stamps_after_the_winner(aws):
    repository.accept(glp(0.30), T0)
    stale = repository.read(*KEY)
    repository.accept(glp(0.40), T0 + timedelta(minutes=1))

    with pytest.raises(ConflictingWrite):
        repository.write(glp(0.50).model_copy(update={"last_updated": T0 + timedelta(minutes=2)}), stale)
    stored, _ = repository.accept(glp(0.50), T0)  # an instance whose clock is behind

    assert stored.last_updated == T0 + timedelta(minutes=1, milliseconds=1)
    assert dump_ocpi(repository.read(*KEY).tariff)["elements"][0]["price_components"][0]["price"] == 0.5


def test_the_import_holds_a_reference_per_location_in_chunks_and_releases_the_dropped(aws, monkeypatch):
    monkeypatch.setattr(reference_repository, "REFS_PER_TRANSACTION", 2)
    repository.accept(glp(0.30), T0)
    repository.accept(Tariff.model_validate(tariff("GLP-DC", party_id="GLP")), T0)
    stations = [location(f"LSB-0090{n}", party_id="GLP", tariff_id="GLP-AC", evses=1) for n in range(5)]

    import_locations(stations, DynamoLocationStore(), DynamoTariffStore())
    held = reference_repository.references(KEY)
    stations[0] = location("LSB-00900", party_id="GLP", tariff_id="GLP-DC", evses=1)
    import_locations(stations, DynamoLocationStore(), DynamoTariffStore())

    assert sorted(r.location_id for r in held.found) == [f"LSB-0090{n}" for n in range(5)]
    assert held.revision == 3  # one per transaction: 2 + 2 + 1 locations
    assert sorted(r.location_id for r in reference_repository.references(KEY).found) == [f"LSB-0090{n}" for n in range(1, 5)]
    assert [r.connectors for r in reference_repository.references(("PT", "GLP", "GLP-DC")).found] == [
        ("LSB-00900-01/LSB-00900-01-01",)
    ]
