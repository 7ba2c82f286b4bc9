"""Locations module, sender interface (OCPI 2.2.1 mod_locations §8.2.1; profile §6).

GET list (paginated, date filters, rate limited and cached per core.sender_lists) and GET one
Location, EVSE or Connector. Private stations (``publish`` false) are never published: they answer
2003 as if unknown. Location id, EVSE uid and connector id are CiStrings: matched whatever their case
(``core.identifiers.same_cistring``), answered as stored.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from mobie_hub.core.context import Caller
from mobie_hub.core.errors import UnknownLocation
from mobie_hub.core.identifiers import same_cistring
from mobie_hub.core.modules import OcpiVersion
from mobie_hub.core.sender_lists import SenderList, list_page
from mobie_hub.locations import repository as locations
from mobie_hub.locations.models import EVSE, Connector, MobieLocation
from mobie_hub.ocpi.auth import caller_for
from mobie_hub.ocpi.envelope import OcpiResponse, ocpi_response
from mobie_hub.ocpi.pagination import PageRequest, page_request, paginated_response
from mobie_hub.ocpi.versioning import request_version

caller = caller_for("locations")
router = APIRouter(prefix="/ocpi/{version}/locations", dependencies=[Depends(caller)])
LOCATIONS = SenderList("locations", locations.published_page, rate_limited=True)


def published(location_id: str) -> MobieLocation:
    location = locations.get_location(location_id)
    if location is None or not location.publish:
        raise UnknownLocation(f"Location {location_id} does not exist")
    return location


def published_evse(location_id: str, evse_uid: str) -> EVSE | None:
    return next((e for e in published(location_id).evses or [] if same_cistring(e.uid, evse_uid)), None)


@router.get("")
def list_locations(
    request: Request,
    version: OcpiVersion = Depends(request_version),
    page: PageRequest = Depends(page_request),
    who: Caller = Depends(caller),
) -> OcpiResponse:
    return paginated_response(request, page, list_page(LOCATIONS, who, page, version.value))


@router.get("/{location_id}")
def get_location(location_id: str, version: OcpiVersion = Depends(request_version)) -> OcpiResponse:
    return ocpi_response(published(location_id))


@router.get("/{location_id}/{evse_uid}")
def get_evse(location_id: str, evse_uid: str, version: OcpiVersion = Depends(request_version)) -> OcpiResponse:
    evse = published_evse(location_id, evse_uid)
    if evse is None:
        raise UnknownLocation(f"EVSE {evse_uid} does not exist in Location {location_id}")
    return ocpi_response(evse)


@router.get("/{location_id}/{evse_uid}/{connector_id}")
def get_connector(
    location_id: str, evse_uid: str, connector_id: str, version: OcpiVersion = Depends(request_version)
) -> OcpiResponse:
    evse = published_evse(location_id, evse_uid)
    connector: Connector | None = (
        next((c for c in evse.connectors if same_cistring(c.id, connector_id)), None) if evse else None
    )
    if connector is None:
        raise UnknownLocation(f"Connector {connector_id} does not exist in EVSE {evse_uid} of {location_id}")
    return ocpi_response(connector)
