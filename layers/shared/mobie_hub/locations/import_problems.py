"""What is wrong with a file the station registry imports (``locations.registry``), all of it at once:
OCPI's rules (the models), the profile's narrower value sets (§6), its EVSE ids (§12) and tariff rules
(§9, ``tariffs.rules``), each problem naming the object and the field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mobie_hub.core import validation
from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.identifiers import InvalidIdentifier, evse_id_for, parse_evse_id
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
)
from mobie_hub.locations.models import MobieLocation
from mobie_hub.tariffs.models import Tariff
from mobie_hub.tariffs.rules import tariff_problems

M = TypeVar("M", bound=BaseModel)


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


def parse_file(raw: Any, model: type[M], kind: str, problems: Problems) -> list[tuple[str, M]]:
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


def profile_problems(name: str, location: MobieLocation, problems: Problems) -> None:
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


def normalise_evse_ids(name: str, location: MobieLocation, problems: Problems) -> MobieLocation:
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


def check_tariff(name: str, tariff: Tariff, problems: Problems) -> None:
    """Profile §9, the rules the tariffs receiver applies too (``tariffs.rules``)."""
    for where, problem in tariff_problems(tariff):
        problems.add(f"{name}: {where}", problem)
