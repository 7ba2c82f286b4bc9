"""CDRs module, sender interface (OCPI 2.2.1 mod_cdrs §10.2.1; profile §8).

GET list by ``last_updated`` (``date_from`` inclusive, ``date_to`` exclusive, both optional),
paginated. By the caller's role (issue #16): an EMSP sees only the CDRs of its own tokens (one Query
a page on its partition), a CPO only the CDRs of sessions on its own stations (one keys-only Query
and one BatchGetItem a page).
"""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Depends, Request

from mobie_hub.cdrs import repository as cdrs
from mobie_hub.core.context import Caller
from mobie_hub.core.models import Role
from mobie_hub.core.modules import OcpiVersion
from mobie_hub.core.sender_lists import SenderList, list_page
from mobie_hub.ocpi.auth import caller_for
from mobie_hub.ocpi.envelope import OcpiResponse
from mobie_hub.ocpi.pagination import PageRequest, page_request, paginated_response
from mobie_hub.ocpi.versioning import request_version

caller = caller_for("cdrs")
router = APIRouter(prefix="/ocpi/{version}/cdrs", dependencies=[Depends(caller)])


@router.get("")
def list_cdrs(
    request: Request,
    version: OcpiVersion = Depends(request_version),
    page: PageRequest = Depends(page_request),
    who: Caller = Depends(caller),
) -> OcpiResponse:
    page_of = cdrs.cpo_cdrs_page if who.role == Role.CPO.value else cdrs.cdrs_page
    own = SenderList(
        f"cdrs:{who.role}:{who.country_code}:{who.party_id}",
        partial(page_of, who.country_code, who.party_id),
        cached=False,
    )
    return paginated_response(request, page, list_page(own, who, page, version.value))
