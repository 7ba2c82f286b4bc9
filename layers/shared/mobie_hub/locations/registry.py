"""The station registry: Locations and Tariffs imported by the operator (profile §6, §9, §12).

A file is validated whole before anything is written, against OCPI and the profile's narrower value
sets: any violation rejects the file, and the refusal lists every violation, each naming the object
and the field. Re-importing stamps ``last_updated`` only on what changed, and an
EVSE missing from a re-import is kept as REMOVED (OCPI never deletes EVSEs; EMSPs learn of the end of
life through the status, profile §6).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from mobie_hub.core import validation
from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.identifiers import InvalidIdentifier, evse_id_for, parse_evse_id
from mobie_hub.core.models import dump_ocpi
from mobie_hub.core.types import utcnow
from mobie_hub.locations.enums import (
    MOBIE_CAPABILITIES,
    MOBIE_CONNECTOR_FORMATS,
    MOBIE_CONNECTOR_STANDARDS,
    MOBIE_COUNTRY,
    MOBIE_COUNTRY_CODE,
    MOBIE_EVSE_STATUSES,
    MOBIE_PARKING_TYPES,
    MOBIE_POWER_TYPES,
    MOBIE_TIME_ZONES,
    Status,
)
from mobie_hub.locations.models import EVSE, MobieLocation
from mobie_hub.tariffs.models import Tariff
from mobie_hub.tariffs.rules import tariff_problems

M = TypeVar("M", bound=BaseModel)

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


class Problems:
    """Every violation found in one file, each as ``"<object>: <field>: <problem>"``.

    An import checks the whole file before it writes anything and refuses it with all its problems at
    once, so the operator fixes a file in one round instead of one error per attempt.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.found: list[str] = []

    def add(self, where: str, problem: str) -> None:
        self.found.append(f"{where}: {problem}")

    def raise_any(self) -> None:
        if self.found:
            raise InvalidRequest(
                f"{self.kind} file refused, nothing imported; {len(self.found)} problem(s): " + "; ".join(self.found)
            )


def _name(kind: str, index: int, obj: Any) -> str:
    return f"{kind} #{index}" + (f" ({obj['id']})" if isinstance(obj, dict) and "id" in obj else "")


def _parse(raw: Any, model: type[M], kind: str, problems: Problems) -> list[tuple[str, M]]:
    """Each object of the file as ``model`` with its name; every OCPI problem of every object is listed."""
    if not isinstance(raw, list):
        raise InvalidRequest(f"a {kind} file must hold a JSON array of {kind} objects")
    parsed = []
    for index, obj in enumerate(raw):
        name = _name(kind, index, obj)
        try:
            parsed.append((name, model.model_validate(obj)))
        except ValidationError as exc:
            for where, problem in validation.problems(exc, whole="object", most=len(exc.errors())):
                problems.add(f"{name}: {where}", problem)
    ids = [p.id for _, p in parsed]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        problems.add(f"{kind} ids", f"appear more than once: {', '.join(duplicates)}")
    return parsed


def _outside(values: Iterable[Any], allowed: frozenset[Any]) -> str:
    return ", ".join(sorted({str(v) for v in values if v not in allowed}))


def _profile_problems(name: str, location: MobieLocation, problems: Problems) -> None:
    """Profile §6: the value sets MOBI.E communicates, narrower than OCPI's."""
    if location.country_code != MOBIE_COUNTRY_CODE:
        problems.add(f"{name}: country_code", f"must be {MOBIE_COUNTRY_CODE}")
    if location.country != MOBIE_COUNTRY:
        problems.add(f"{name}: country", f"must be {MOBIE_COUNTRY}")
    if location.time_zone not in MOBIE_TIME_ZONES:
        problems.add(f"{name}: time_zone", "must be one of " + ", ".join(sorted(MOBIE_TIME_ZONES)))
    if location.parking_type is not None and location.parking_type not in MOBIE_PARKING_TYPES:
        problems.add(f"{name}: parking_type", f"not used by MOBI.E: {location.parking_type}")
    if location.operator is None:
        problems.add(f"{name}: operator", "required: the charging-point operator (OPC), else a generic name")
    for evse in location.evses or []:
        where = f"{name}: evse {evse.uid}"
        if evse.status not in MOBIE_EVSE_STATUSES:
            problems.add(f"{where}: status", f"not used by MOBI.E: {evse.status}")
        if bad := _outside(evse.capabilities or [], MOBIE_CAPABILITIES):
            problems.add(f"{where}: capabilities", f"not used by MOBI.E: {bad}")
        for connector in evse.connectors:
            at = f"{where}: connector {connector.id}"
            if connector.standard not in MOBIE_CONNECTOR_STANDARDS:
                problems.add(f"{at}: standard", f"not used by MOBI.E: {connector.standard}")
            if connector.format not in MOBIE_CONNECTOR_FORMATS:
                problems.add(f"{at}: format", f"not used by MOBI.E: {connector.format}")
            if connector.power_type not in MOBIE_POWER_TYPES:
                problems.add(f"{at}: power_type", f"not used by MOBI.E: {connector.power_type}")


def _normalise_evse_ids(name: str, location: MobieLocation, problems: Problems) -> MobieLocation:
    """Profile §12: emit the ``E`` form; accept the seed's form; the operator must be the CPO's."""
    evses = []
    uids = [evse.uid for evse in location.evses or []]
    if len(uids) != len(set(uids)):
        problems.add(f"{name}: evses", "EVSE uids must be unique within the location")
    for evse in location.evses or []:
        where = f"{name}: evse {evse.uid}: evse_id"
        try:
            parsed = parse_evse_id(evse.evse_id) if evse.evse_id else None
        except InvalidIdentifier as exc:
            problems.add(where, str(exc))
            continue
        if parsed and (parsed.country_code, parsed.operator_id) != (location.country_code, location.party_id):
            problems.add(where, f"operator must be {location.country_code}*{location.party_id}")
            continue
        try:
            evse_id = parsed.normalized if parsed else evse_id_for(location.party_id, evse.uid, location.country_code)
        except InvalidIdentifier as exc:
            problems.add(where, str(exc))
            continue
        evses.append(evse.model_copy(update={"evse_id": evse_id}))
    return location.model_copy(update={"evses": evses}) if location.evses else location


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


def _content(model: BaseModel) -> Any:
    """The OCPI JSON of a model without any ``last_updated``: what 'changed' compares."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "last_updated"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(dump_ocpi(model))


def _stamp_evse(new: EVSE, old: EVSE | None, now: datetime) -> EVSE:
    if old is not None and _content(new) == _content(old):
        return old
    connectors = []
    for connector in new.connectors:
        previous = next((c for c in (old.connectors if old else []) if c.id == connector.id), None)
        unchanged = previous is not None and _content(previous) == _content(connector)
        connectors.append(previous if unchanged else connector.model_copy(update={"last_updated": now}))
    return new.model_copy(update={"connectors": connectors, "last_updated": now})


def merge_location(new: MobieLocation, old: MobieLocation | None, now: datetime) -> MobieLocation:
    """The Location to store: unchanged parts keep their timestamps, changed ones get ``now``.

    A new Location is stamped ``now`` throughout, whatever the file says: it appears in the hub now,
    and an EMSP syncing with ``date_from`` must see it.
    """
    if old is None:
        evses = [_stamp_evse(evse, None, now) for evse in new.evses or []]
        return new.model_copy(update={"evses": evses or None, "last_updated": now})
    old_evses = {evse.uid: evse for evse in old.evses or []}
    evses = [_stamp_evse(evse, old_evses.get(evse.uid), now) for evse in new.evses or []]
    kept = {evse.uid for evse in evses}
    for uid, evse in old_evses.items():
        if uid not in kept:
            removed = evse if evse.status is Status.REMOVED else evse.model_copy(
                update={"status": Status.REMOVED, "last_updated": now})
            evses.append(removed)
    merged = new.model_copy(update={"evses": evses or None, "last_updated": old.last_updated})
    own_changed = _content(merged.model_copy(update={"evses": None})) != _content(old.model_copy(update={"evses": None}))
    latest = max([now if own_changed else old.last_updated, *(e.last_updated for e in evses)])
    return merged.model_copy(update={"last_updated": latest})


def import_locations(
    raw: Any, locations: LocationStore, tariffs: TariffStore, now: datetime | None = None
) -> ImportReport:
    """Import a file of Locations: all of it, or nothing with every problem listed (InvalidRequest)."""
    problems = Problems("location")
    parsed = []
    for name, location in _parse(raw, MobieLocation, "location", problems):
        _profile_problems(name, location, problems)
        parsed.append(_normalise_evse_ids(name, location, problems))
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


def _check_tariff(name: str, tariff: Tariff, problems: Problems) -> None:
    """Profile §9, the rules the tariffs receiver applies too (``tariffs.rules``)."""
    for where, problem in tariff_problems(tariff):
        problems.add(f"{name}: {where}", problem)


def import_tariffs(raw: Any, tariffs: TariffStore, now: datetime | None = None) -> ImportReport:
    """Import a file of Tariffs: all of it, or nothing with every problem listed (InvalidRequest)."""
    problems = Problems("tariff")
    parsed = _parse(raw, Tariff, "tariff", problems)
    for name, tariff in parsed:
        _check_tariff(name, tariff, problems)
    problems.raise_any()
    stored = tariffs.get_many((t.country_code, t.party_id, t.id) for _, t in parsed)
    now, report, to_write = now or utcnow(), ImportReport(), []
    for _, tariff in parsed:
        old = stored.get((tariff.country_code, tariff.party_id, tariff.id))
        if old is not None and _content(old) == _content(tariff):
            report.unchanged.append(tariff.id)
            continue
        (report.updated if old else report.created).append(tariff.id)
        to_write.append(tariff.model_copy(update={"last_updated": now}))
    tariffs.put_many(to_write)
    return report
