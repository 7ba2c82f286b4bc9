"""The station registry: Locations and Tariffs imported by the operator (profile §6, §9, §12).

A file is validated whole before anything is written, against OCPI and the profile's narrower value
sets: any violation rejects the file, and the refusal lists every violation, each naming the object
and the field (``locations.import_problems``). Re-importing stamps ``last_updated`` only on what
changed, and an EVSE missing from a re-import is kept as REMOVED (OCPI never deletes EVSEs; EMSPs
learn of the end of life through the status, profile §6; ``locations.merge``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from mobie_hub.core.types import utcnow
from mobie_hub.locations.import_problems import (
    Problems,
    check_tariff,
    normalise_evse_ids,
    parse_file,
    profile_problems,
)
from mobie_hub.locations.merge import content, merge_location
from mobie_hub.locations.models import MobieLocation
from mobie_hub.tariffs.models import Tariff

TariffKey = tuple[str, str, str]  # (country_code, party_id, tariff id)


class LocationStore(Protocol):
    def get_many(self, ids: Iterable[str]) -> dict[str, MobieLocation]: ...
    def put_many(self, locations: list[MobieLocation]) -> None: ...


class TariffStore(Protocol):
    def existing(self, keys: Iterable[TariffKey]) -> set[TariffKey]: ...
    def get_many(self, keys: Iterable[TariffKey]) -> dict[TariffKey, Tariff]: ...
    def put_many(self, tariffs: list[Tariff]) -> None: ...
    # The tariffs' references from connectors (a referenced tariff cannot be deleted, tariffs.receiver):
    # held before the Locations are written (tariff → location id → connectors), released after.
    def hold(self, held: Mapping[TariffKey, Mapping[str, Iterable[str]]]) -> None: ...
    def release(self, released: Mapping[TariffKey, Iterable[str]]) -> None: ...


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created), "updated": len(self.updated), "unchanged": len(self.unchanged),
            "created_ids": self.created, "updated_ids": self.updated,
        }


def _referenced_tariffs(location: MobieLocation) -> dict[TariffKey, str]:
    refs = {}
    for evse in location.evses or []:
        for connector in evse.connectors:
            for tariff_id in connector.tariff_ids or []:
                where = f"location {location.id}: evse {evse.uid}: connector {connector.id}: tariff_ids"
                refs[(location.country_code, location.party_id, tariff_id)] = where
    return refs


def tariff_connectors(location: MobieLocation) -> dict[TariffKey, list[str]]:
    """The tariffs the Location's connectors reference, each with its ``<evse uid>/<connector id>``s."""
    found: dict[TariffKey, list[str]] = {}
    for evse in location.evses or []:
        for connector in evse.connectors:
            for tariff_id in connector.tariff_ids or []:
                key = (location.country_code, location.party_id, tariff_id)
                found.setdefault(key, []).append(f"{evse.uid}/{connector.id}")
    return found



def import_locations(
    raw: Any, locations: LocationStore, tariffs: TariffStore, now: datetime | None = None
) -> ImportReport:
    """Import a file of Locations: all of it, or nothing with every problem listed (InvalidRequest)."""
    problems = Problems("location")
    parsed = []
    for name, location in parse_file(raw, MobieLocation, "location", problems):
        profile_problems(name, location, problems)
        parsed.append(normalise_evse_ids(name, location, problems))
    references: dict[TariffKey, list[str]] = {}
    for location in parsed:
        for key, where in _referenced_tariffs(location).items():
            references.setdefault(key, []).append(where)
    for key in sorted(set(references) - tariffs.existing(references)):
        for where in references[key]:
            problems.add(where, f"tariff {key[2]} of {key[0]}/{key[1]} does not exist")
    problems.raise_any()
    stored = locations.get_many(loc.id for loc in parsed)
    now, report, to_write = now or utcnow(), ImportReport(), []
    for location in parsed:
        old = stored.get(location.id)
        merged = merge_location(location, old, now)
        if old is not None and merged == old:
            report.unchanged.append(location.id)
            continue
        (report.updated if old else report.created).append(location.id)
        to_write.append(merged)
    held: dict[TariffKey, dict[str, list[str]]] = {}
    released: dict[TariffKey, list[str]] = {}
    for location in parsed:  # every Location of the file holds its references (re-importing restores them)
        now_referenced = tariff_connectors(location)
        for key, connectors in now_referenced.items():
            held.setdefault(key, {})[location.id] = connectors
        old = stored.get(location.id)
        for key in tariff_connectors(old).keys() - now_referenced.keys() if old else ():
            released.setdefault(key, []).append(location.id)
    tariffs.hold(held)
    locations.put_many(to_write)
    tariffs.release(released)
    return report



def import_tariffs(raw: Any, tariffs: TariffStore, now: datetime | None = None) -> ImportReport:
    """Import a file of Tariffs: all of it, or nothing with every problem listed (InvalidRequest)."""
    problems = Problems("tariff")
    parsed = parse_file(raw, Tariff, "tariff", problems)
    for name, tariff in parsed:
        check_tariff(name, tariff, problems)
    problems.raise_any()
    stored = tariffs.get_many((t.country_code, t.party_id, t.id) for _, t in parsed)
    now, report, to_write = now or utcnow(), ImportReport(), []
    for _, tariff in parsed:
        old = stored.get((tariff.country_code, tariff.party_id, tariff.id))
        if old is not None and content(old) == content(tariff):
            report.unchanged.append(tariff.id)
            continue
        (report.updated if old else report.created).append(tariff.id)
        to_write.append(tariff.model_copy(update={"last_updated": now}))
    tariffs.put_many(to_write)
    return report
