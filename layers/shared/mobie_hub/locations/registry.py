"""The station registry: Locations and Tariffs imported by the operator (profile §6, §9, §12).

A file is validated whole before anything is written: one bad object rejects the file with a message
naming the object and the field. Re-importing stamps ``last_updated`` only on what changed, and an
EVSE missing from a re-import is kept as REMOVED (OCPI never deletes EVSEs; EMSPs learn of the end of
life through the status, profile §6).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from mobie_hub.core import validation
from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.identifiers import InvalidIdentifier, evse_id_for, parse_evse_id
from mobie_hub.core.models import dump_ocpi
from mobie_hub.core.types import utcnow
from mobie_hub.locations.enums import Status
from mobie_hub.locations.models import EVSE, MobieLocation
from mobie_hub.tariffs.models import Tariff, TariffType

TariffKey = tuple[str, str, str]  # (country_code, party_id, tariff id)

# Profile §9: the restrictions MOBI.E uses; anything else in an imported tariff is refused.
ALLOWED_RESTRICTIONS = frozenset(
    {"start_time", "end_time", "start_date", "end_date", "min_kwh", "max_kwh", "min_duration", "max_duration",
     "day_of_week"}
)


class LocationStore(Protocol):
    def get_many(self, ids: Iterable[str]) -> dict[str, MobieLocation]: ...
    def put_many(self, locations: list[MobieLocation]) -> None: ...


class TariffStore(Protocol):
    def existing(self, keys: Iterable[TariffKey]) -> set[TariffKey]: ...
    def get_many(self, keys: Iterable[TariffKey]) -> dict[TariffKey, Tariff]: ...
    def put_many(self, tariffs: list[Tariff]) -> None: ...


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


def _parse(raw: Any, model: type[BaseModel], kind: str) -> list[Any]:
    if not isinstance(raw, list):
        raise InvalidRequest(f"a {kind} file must hold a JSON array of {kind} objects")
    parsed = []
    for index, obj in enumerate(raw):
        name = f"{kind} #{index}" + (f" ({obj['id']})" if isinstance(obj, dict) and "id" in obj else "")
        parsed.append(
            validation.parse(
                model, obj, whole="object",
                refuse=lambda where, problem, name=name: InvalidRequest(f"{name}: {where}: {problem}"),
            )
        )
    ids = [p.id for p in parsed]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InvalidRequest(f"{kind} ids appear more than once: {', '.join(duplicates)}")
    return parsed


def _normalise_evse_ids(location: MobieLocation) -> MobieLocation:
    """Profile §12: emit the ``E`` form; accept the seed's form; the operator must be the CPO's."""
    evses = []
    uids = [evse.uid for evse in location.evses or []]
    if len(uids) != len(set(uids)):
        raise InvalidRequest(f"location {location.id}: EVSE uids must be unique within the location")
    for evse in location.evses or []:
        try:
            parsed = parse_evse_id(evse.evse_id) if evse.evse_id else None
        except InvalidIdentifier as exc:
            raise InvalidRequest(f"location {location.id}: evse {evse.uid}: evse_id: {exc}") from None
        if parsed and (parsed.country_code, parsed.operator_id) != (location.country_code, location.party_id):
            raise InvalidRequest(
                f"location {location.id}: evse {evse.uid}: evse_id: operator must be "
                f"{location.country_code}*{location.party_id}"
            )
        evse_id = parsed.normalized if parsed else evse_id_for(location.party_id, evse.uid, location.country_code)
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
    parsed = [_normalise_evse_ids(loc) for loc in _parse(raw, MobieLocation, "location")]
    references: dict[TariffKey, str] = {}
    for location in parsed:
        references.update(_referenced_tariffs(location))
    missing = set(references) - tariffs.existing(references)
    if missing:
        key = sorted(missing)[0]
        raise InvalidRequest(f"{references[key]}: tariff {key[2]} of {key[0]}/{key[1]} does not exist")
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
    locations.put_many(to_write)
    return report


def _check_tariff(tariff: Tariff) -> Tariff:
    """Profile §9: EUR, REGULAR or AD_HOC_PAYMENT, and only the restrictions MOBI.E uses."""
    if tariff.currency != "EUR":
        raise InvalidRequest(f"tariff {tariff.id}: currency: must be EUR")
    if tariff.type not in (None, TariffType.REGULAR, TariffType.AD_HOC_PAYMENT):
        raise InvalidRequest(f"tariff {tariff.id}: type: must be REGULAR or AD_HOC_PAYMENT")
    for index, element in enumerate(tariff.elements):
        used = set(element.restrictions.model_dump(exclude_none=True)) if element.restrictions else set()
        if used - ALLOWED_RESTRICTIONS:
            raise InvalidRequest(
                f"tariff {tariff.id}: elements.{index}.restrictions: not used by MOBI.E: "
                + ", ".join(sorted(used - ALLOWED_RESTRICTIONS))
            )
    return tariff


def import_tariffs(raw: Any, tariffs: TariffStore, now: datetime | None = None) -> ImportReport:
    parsed = [_check_tariff(t) for t in _parse(raw, Tariff, "tariff")]
    stored = tariffs.get_many((t.country_code, t.party_id, t.id) for t in parsed)
    now, report, to_write = now or utcnow(), ImportReport(), []
    for tariff in parsed:
        old = stored.get((tariff.country_code, tariff.party_id, tariff.id))
        if old is not None and _content(old) == _content(tariff):
            report.unchanged.append(tariff.id)
            continue
        (report.updated if old else report.created).append(tariff.id)
        to_write.append(tariff.model_copy(update={"last_updated": now}))
    tariffs.put_many(to_write)
    return report
