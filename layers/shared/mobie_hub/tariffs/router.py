"""Tariffs module (profile §9; issue #16): both interfaces.

- Sender (OCPI 2.2.1 mod_tariffs §11.2.1), for EMSPs: GET list of current and historical tariffs,
  paginated with date filters, cached like the Locations list.
- Receiver (§11.2.2), for CPOs: ``GET / PUT / PATCH / DELETE
  /ocpi/{version}/tariffs/{country_code}/{party_id}/{tariff_id}`` under the caller's own
  country_code/party_id (else HTTP 403, resolved before the body is read). PATCH is a MOBI.E
  extension (mod_tariffs lists it n/a). Which role reaches which interface is the catalogue's
  (``core.modules``, checked in ``ocpi.auth``); the rules live in ``mobie_hub.tariffs.receiver``.
"""

from __future__ import annotations

from typing import Annotated, NewType

from fastapi import APIRouter, Body, Depends, Path, Request

from mobie_hub.core.context import Caller
from mobie_hub.core.models import partial_model
from mobie_hub.core.modules import OcpiVersion
from mobie_hub.core.sender_lists import SenderList, list_page
from mobie_hub.core.versions import InterfaceRole
from mobie_hub.ocpi.auth import caller_for
from mobie_hub.ocpi.envelope import OcpiResponse, ocpi_response
from mobie_hub.ocpi.pagination import PageRequest, page_request, paginated_response
from mobie_hub.ocpi.versioning import request_version
from mobie_hub.tariffs import receiver
from mobie_hub.tariffs import repository as tariffs
from mobie_hub.tariffs.keys import TariffKey
from mobie_hub.tariffs.models import Tariff

caller = caller_for("tariffs")
cpo = caller_for("tariffs", InterfaceRole.RECEIVER)
router = APIRouter()
TARIFFS = SenderList("tariffs", tariffs.tariffs_page)
TARIFF_PATH = "/ocpi/{version}/tariffs/{country_code}/{party_id}/{tariff_id}"
TariffPatch = partial_model(Tariff)
# The bodies as NewTypes, so FastAPI builds their validators with the app rather than at the first
# request, where pydantic would warn about the alias FastAPI attaches (tokens/router.py says why).
TariffBody = NewType("TariffBody", Tariff)
# TariffPatch is a class partial_model makes at run time: to a type checker a variable, not a type.
TariffPatchBody = NewType("TariffPatchBody", TariffPatch)  # type: ignore[valid-type]


@router.get("/ocpi/{version}/tariffs")
def list_tariffs(
    request: Request,
    version: OcpiVersion = Depends(request_version),
    page: PageRequest = Depends(page_request),
    who: Caller = Depends(caller),
) -> OcpiResponse:
    return paginated_response(request, page, list_page(TARIFFS, who, page, version.value))


def addressed_tariff(
    country_code: str = Path(min_length=2, max_length=2),
    party_id: str = Path(min_length=3, max_length=3),
    tariff_id: str = Path(min_length=1, max_length=36),
    who: Caller = Depends(cpo),
) -> TariffKey:
    """The tariff the URL names, once the caller is known to own it (before the body is read, so
    another party's URL answers 403 whatever the body holds)."""
    key = (country_code, party_id, tariff_id)
    receiver.ensure_owner(who, key)
    return key


@router.get(TARIFF_PATH)
def get_tariff(
    version: OcpiVersion = Depends(request_version), key: TariffKey = Depends(addressed_tariff)
) -> OcpiResponse:
    return ocpi_response(receiver.get(key))


@router.put(TARIFF_PATH)
def put_tariff(
    tariff: Annotated[TariffBody, Body()],
    version: OcpiVersion = Depends(request_version),
    key: TariffKey = Depends(addressed_tariff),
) -> OcpiResponse:
    created = receiver.put(tariff, key)
    return ocpi_response(http_status=201 if created else 200)


@router.patch(TARIFF_PATH)
def patch_tariff(
    body: Annotated[TariffPatchBody, Body()],
    version: OcpiVersion = Depends(request_version),
    key: TariffKey = Depends(addressed_tariff),
) -> OcpiResponse:
    receiver.patch(body, key)
    return ocpi_response()


@router.delete(TARIFF_PATH)
def delete_tariff(
    version: OcpiVersion = Depends(request_version), key: TariffKey = Depends(addressed_tariff)
) -> OcpiResponse:
    receiver.delete(key)
    return ocpi_response()
