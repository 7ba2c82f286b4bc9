"""Tariffs module, sender interface (OCPI 2.2.1 mod_tariffs §11.2.1; profile §9): GET list of current
and historical tariffs, paginated with date filters, cached like the Locations list."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from mobie_hub.core.context import Caller
from mobie_hub.core.modules import OcpiVersion
from mobie_hub.core.sender_lists import SenderList, list_page
from mobie_hub.ocpi.auth import caller_for
from mobie_hub.ocpi.envelope import OcpiResponse
from mobie_hub.ocpi.pagination import PageRequest, page_request, paginated_response
from mobie_hub.ocpi.versioning import request_version
from mobie_hub.tariffs import repository as tariffs

caller = caller_for("tariffs")
router = APIRouter(prefix="/ocpi/{version}/tariffs", dependencies=[Depends(caller)])
TARIFFS = SenderList("tariffs", tariffs.tariffs_page)


@router.get("")
def list_tariffs(
    request: Request,
    version: OcpiVersion = Depends(request_version),
    page: PageRequest = Depends(page_request),
    who: Caller = Depends(caller),
) -> OcpiResponse:
    return paginated_response(request, page, list_page(TARIFFS, who, page, version.value))
