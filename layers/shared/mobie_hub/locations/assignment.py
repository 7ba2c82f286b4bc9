"""Which CPO operates a station: the Location's ``country_code``/``party_id`` (issue #16, contract §2),
and the operator's way to change it (``mobie-hub locations set-cpo``; docs/phase2.md "The CPO of a
station").

A Location's party is part of its OCPI identity (EMSPs store it under ``/{cc}/{pid}/{id}``), of its
EVSE ids (``PT*<party_id>*E…``, profile §12) and of its tariffs (connectors' ``tariff_ids`` are the
Location's party's). A reassignment therefore changes all three at once, or nothing:

- refused, with every reason, when the new party is neither the hub itself nor a CPO party the hub
  knows (invited or registered), when it lacks a tariff a connector references (each named), or while
  an EVSE is CHARGING (a charge in progress: reassign once it ends; its session keeps the CPO it
  started with anyway, contract §2);
- otherwise the EVSE ids take the new party's prefix (same outlet ids), the operator becomes the new
  CPO's business details (or ``operator_name``), and the connectors' tariff references move to the new
  party's tariffs: held before the Location is written, the old ones released after (as an import does).

The Location is written on condition that it is still the one read (a StatusNotification in between
makes it read again). The EMSPs are told through the Location's events (``events.locations``): the
copy they hold under the old party is withdrawn (its EVSEs REMOVED) and the Location is PUT under the
new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mobie_hub.core import retry
from mobie_hub.core.errors import InvalidRequest, NotFound
from mobie_hub.core.identifiers import InvalidIdentifier, evse_id_for, normalize_party_id, parse_evse_id
from mobie_hub.core.models import BusinessDetails
from mobie_hub.core.types import utcnow
from mobie_hub.locations import station_repository
from mobie_hub.locations.enums import MOBIE_COUNTRY_CODE, Status
from mobie_hub.locations.models import EVSE, Location
from mobie_hub.locations.registry import TariffKey, TariffStore, tariff_connectors

Party = tuple[str, str]  # (country_code, party_id)


@dataclass(frozen=True)
class Cpo:
    """The party a station may be assigned to, as the parties feature knows it."""

    label: str  # "CPO PT/GLP (REGISTERED)", "MOBI.E (the hub itself)"
    business_details: BusinessDetails | None = None


# (country_code, party_id) → the CPO party of that name, or None when there is none.
CpoDirectory = Callable[[Party], Cpo | None]


@dataclass
class Assignment:
    location_id: str
    before: Party
    after: Party
    cpo: str
    changed: bool
    published: bool
    evse_ids: dict[str, str] = field(default_factory=dict)  # EVSE uid → its new evse_id
    tariffs: list[str] = field(default_factory=list)  # "<cc>/<pid>/<id>" the connectors now reference
    operator: str | None = None

    def as_dict(self) -> dict[str, Any]:
        def name(party: Party) -> str:
            return "/".join(party)

        result: dict[str, Any] = {
            "location_id": self.location_id, "changed": self.changed, "from": name(self.before),
            "to": name(self.after), "cpo": self.cpo, "operator": self.operator,
            "evse_ids": self.evse_ids, "tariffs": self.tariffs,
        }
        if self.changed:
            result["emsps"] = (
                f"pushed: the EVSEs of {name(self.before)}/{self.location_id} REMOVED, the Location PUT "
                f"as {name(self.after)}/{self.location_id}"
                if self.published else "nothing: the Location is private (never published)"
            )
        return result


def _party(country_code: str | None, party_id: str, current: Location) -> Party:
    country = (country_code or current.country_code).upper()
    if country != MOBIE_COUNTRY_CODE:
        raise InvalidRequest(f"must be {MOBIE_COUNTRY_CODE}: MOBI.E's stations are Portuguese", field="country_code")
    try:
        return country, normalize_party_id(party_id)
    except InvalidIdentifier as exc:
        raise InvalidRequest(str(exc), field="party_id") from None


def _evse_id(evse: EVSE, party: Party) -> str | None:
    if evse.evse_id is None:
        return None
    try:
        outlet = parse_evse_id(evse.evse_id).power_outlet_id
    except InvalidIdentifier:
        return evse_id_for(party[1], evse.uid, party[0])
    return f"{party[0]}*{party[1]}*E{outlet}"


def reassigned(location: Location, party: Party, operator: BusinessDetails | None, now: datetime) -> Location:
    """``location`` as ``party``'s: its identity, its EVSE ids and (when given) its operator."""
    evses = []
    for evse in location.evses or []:
        evse_id = _evse_id(evse, party)
        evses.append(evse if evse_id == evse.evse_id else evse.model_copy(update={"evse_id": evse_id, "last_updated": now}))
    update: dict[str, Any] = {
        "country_code": party[0], "party_id": party[1], "evses": evses or location.evses, "last_updated": now,
    }
    if operator is not None:
        update["operator"] = operator
    return location.model_copy(update=update)


def _problems(location: Location, party: Party, cpo: Cpo | None, tariffs: TariffStore) -> list[str]:
    problems = []
    if cpo is None:
        problems.append(
            f"{party[0]}/{party[1]} is no CPO party of the hub: invite it first "
            f"(mobie-hub parties invite --role CPO --country-code {party[0]} --party-id {party[1]})"
        )
    charging = [evse.uid for evse in location.evses or [] if evse.status is Status.CHARGING]
    if charging:
        problems.append(f"a charge is in progress on EVSE {', '.join(charging)}: reassign the station once it ends")
    wanted = {(party[0], party[1], key[2]): connectors for key, connectors in tariff_connectors(location).items()}
    for key in sorted(set(wanted) - tariffs.existing(wanted)):
        problems.append(
            f"connector {', '.join(wanted[key])} references tariff {key[2]}, which {party[0]}/{party[1]} does not have"
            " (it must push or import a tariff of that id first)"
        )
    return problems


def assign_cpo(
    location_id: str,
    party_id: str,
    *,
    directory: CpoDirectory,
    tariffs: TariffStore,
    country_code: str | None = None,
    operator_name: str | None = None,
    now: datetime | None = None,
) -> Assignment:
    """Make ``party_id`` (of ``country_code``, default the Location's) the CPO of the station
    ``location_id`` (module docstring). ``InvalidRequest`` with every reason when it cannot be."""

    def attempt(_: retry.Attempt) -> Assignment:
        read = station_repository.read(location_id)
        if read is None:
            raise NotFound(f"no location {location_id}")
        location = read.location
        before, party = (location.country_code, location.party_id), _party(country_code, party_id, location)
        cpo = directory(party)
        label = cpo.label if cpo else f"{party[0]}/{party[1]}: no CPO party of the hub"
        result = Assignment(location.id, before, party, label, party != before, location.publish)
        if party == before:
            result.operator = location.operator.name if location.operator else None
            return result
        problems = _problems(location, party, cpo, tariffs)
        if problems:
            raise InvalidRequest(
                f"location {location.id} stays with {before[0]}/{before[1]}; {len(problems)} problem(s): "
                + "; ".join(problems)
            )
        assert cpo is not None  # checked by _problems
        operator = BusinessDetails(name=operator_name) if operator_name else cpo.business_details
        moved = reassigned(location, party, operator, now or utcnow())
        _move_references(location, moved, lambda: station_repository.replace(moved, expected=read), tariffs)
        result.evse_ids = {evse.uid: evse.evse_id for evse in moved.evses or [] if evse.evse_id}
        result.tariffs = sorted("/".join(key) for key in tariff_connectors(moved))
        result.operator = moved.operator.name if moved.operator else None
        return result

    return retry.optimistic(attempt, gave_up=f"location {location_id} kept changing while it was reassigned")


def _move_references(
    old: Location, new: Location, write: Callable[[], bool], tariffs: TariffStore
) -> None:
    """Hold the new party's tariffs, write, release the old party's: a DELETE of a tariff the
    Location references is refused throughout. A write that lost a race releases what it held."""
    held = {key: {new.id: connectors} for key, connectors in tariff_connectors(new).items()}
    released: dict[TariffKey, list[str]] = {key: [old.id] for key in tariff_connectors(old)}
    tariffs.hold(held)
    if not write():
        tariffs.release({key: [new.id] for key in held})
        raise retry.ReadAgain
    tariffs.release(released)
