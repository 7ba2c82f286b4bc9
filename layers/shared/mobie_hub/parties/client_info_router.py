"""HubClientInfo module, sender interface (OCPI 2.2.1 mod_hub_client_info §15.2.1): the parties
connected to the hub and their status, paginated. Pushes to receivers: ``mobie_hub.parties.client_info``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from mobie_hub.core.modules import OcpiVersion
from mobie_hub.ocpi.auth import caller_for
from mobie_hub.ocpi.envelope import OcpiResponse
from mobie_hub.ocpi.pagination import PageRequest, page_request, paginated_response
from mobie_hub.ocpi.versioning import request_version
from mobie_hub.parties.client_info import client_info_page

router = APIRouter(dependencies=[Depends(caller_for("hubclientinfo"))])


@router.get("/ocpi/{version}/hubclientinfo")
def list_client_info(
    request: Request,
    version: OcpiVersion = Depends(request_version),
    page: PageRequest = Depends(page_request),
) -> OcpiResponse:
    return paginated_response(request, page, client_info_page(page))
