"""Sessions module, sender interface (OCPI 2.2.1 mod_sessions §9.2.1; profile §7).

GET list by ``last_updated`` (``date_from`` mandatory, §9.2.1.1; inclusive; ``date_to`` exclusive),
paginated. By the caller's role (issue #16): an EMSP sees only the sessions of its own tokens, a CPO
only the sessions on its own stations (a page: a keys-only Query of its partition merged with its
ACTIVE sessions, served with their running meters, and one BatchGetItem: ``repository._page``);
nobody sees another party's. Charging preferences are not supported by MOBI.E (profile §7), so there is no PUT.
"""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Depends, Request

from mobie_hub.core.context import Caller
from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.models import Role
from mobie_hub.core.modules import OcpiVersion
from mobie_hub.core.sender_lists import SenderList, list_page
from mobie_hub.ocpi.auth import caller_for
from mobie_hub.ocpi.envelope import OcpiResponse
from mobie_hub.ocpi.pagination import PageRequest, page_request, paginated_response
from mobie_hub.ocpi.versioning import request_version
from mobie_hub.sessions import repository as sessions

caller = caller_for("sessions")
router = APIRouter(prefix="/ocpi/{version}/sessions", dependencies=[Depends(caller)])


@router.get("")
def list_sessions(
    request: Request,
    version: OcpiVersion = Depends(request_version),
    page: PageRequest = Depends(page_request),
    who: Caller = Depends(caller),
) -> OcpiResponse:
    if page.date_from is None:
        raise InvalidRequest("is required for the sessions list (OCPI mod_sessions GET)", field="date_from")
    page_of = sessions.cpo_sessions_page if who.role == Role.CPO.value else sessions.sessions_page
    own = SenderList(
        f"sessions:{who.role}:{who.country_code}:{who.party_id}",
        partial(page_of, who.country_code, who.party_id),
        cached=False,
    )
    return paginated_response(request, page, list_page(own, who, page, version.value))
