"""``mobie-hub locations import FILE`` / ``mobie-hub tariffs import FILE``: the station registry;
``mobie-hub locations set-cpo`` / ``locations list``: which CPO operates which station (issue #16)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from mobie_hub.admin.registry import operation
from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.models import Role
from mobie_hub.core.settings import get_settings
from mobie_hub.locations.assignment import Cpo, Party, assign_cpo
from mobie_hub.locations.inventory_repository import DynamoLocationStore, location_parties
from mobie_hub.locations.registry import import_locations, import_tariffs
from mobie_hub.parties import api as parties
from mobie_hub.parties.party import PartyRef, Registration
from mobie_hub.tariffs.operator_api import DynamoTariffStore


def _objects(payload: dict[str, Any], key: str) -> Any:
    if key not in payload:
        raise InvalidRequest(f"payload must carry '{key}': the JSON array read from the file")
    return payload[key]


@operation("locations.import")
def locations_import(payload: dict[str, Any]) -> dict[str, Any]:
    return import_locations(_objects(payload, "locations"), DynamoLocationStore(), DynamoTariffStore()).as_dict()


@operation("tariffs.import")
def tariffs_import(payload: dict[str, Any]) -> dict[str, Any]:
    return import_tariffs(_objects(payload, "tariffs"), DynamoTariffStore()).as_dict()


def cpo_named(party: Party) -> Cpo | None:
    """The hub itself (its own stations), or a CPO party record that is not unregistered."""
    hub = get_settings().hub
    if party == (hub.country_code.upper(), hub.party_id.upper()):
        return Cpo(f"{hub.name} (the hub itself)")
    record = parties.get_party(PartyRef(role=Role.CPO, country_code=party[0], party_id=party[1]))
    if record is None or record.registration == Registration.UNREGISTERED:
        return None
    return Cpo(f"{record.label} ({record.registration.value})", record.business_details)


class SetCpo(BaseModel):
    location_id: str
    party_id: str
    country_code: str | None = None
    operator_name: str | None = None


@operation("locations.set_cpo")
def set_cpo(payload: dict[str, Any]) -> dict[str, Any]:
    request = SetCpo.model_validate(payload)
    return assign_cpo(
        request.location_id, request.party_id, country_code=request.country_code,
        operator_name=request.operator_name, directory=cpo_named, tariffs=DynamoTariffStore(),
    ).as_dict()


class ListLocations(BaseModel):
    party_id: str | None = None
    country_code: str | None = None


@operation("locations.list")
def list_locations(payload: dict[str, Any]) -> dict[str, Any]:
    """Every station with its party (the CPO that operates it), or only those of one party."""
    request = ListLocations.model_validate(payload)
    wanted = [(v or "").upper() for v in (request.country_code, request.party_id)]
    found = [
        {"location_id": location_id, "country_code": cc, "party_id": pid}
        for location_id, cc, pid in location_parties()
        if wanted[0] in ("", cc) and wanted[1] in ("", pid)
    ]
    return {"count": len(found), "locations": found}
