"""The local admin interface: ``POST /admin/{operation}`` on the local hub, loopback clients only."""

from __future__ import annotations

import ipaddress
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from mobie_hub.admin.registry import dispatch, error_payload
from mobie_hub.errors import Forbidden, HubError
from mobie_hub.ocpi.error_mapping import codes_for

router = APIRouter(prefix="/admin", include_in_schema=False)


def _is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.post("/{name}")
def run_operation(name: str, request: Request, payload: dict[str, Any] = Body(default_factory=dict)) -> JSONResponse:
    try:
        if not _is_loopback(request):
            raise Forbidden("the admin interface answers on loopback only")
        return JSONResponse(dispatch(name, payload))
    except HubError as exc:  # admin answers are plain JSON, not the OCPI envelope
        http_status = codes_for(exc)[1]
        return JSONResponse(error_payload(exc), status_code=http_status if http_status >= 400 else 502)
