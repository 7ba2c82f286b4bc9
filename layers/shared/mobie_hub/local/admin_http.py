"""The local admin interface: ``POST /admin/{operation}`` on the local hub.

Loopback clients only, and that alone is not enough (issue #12 finding 5): a web page in the
operator's browser can make loopback requests too. So every call must also
- carry the secret the hub wrote at start to a file only the user can read (``admin.secret``), in the
  ``X-Mobie-Admin-Secret`` header: 401 without, 403 wrong (compared in constant time);
- name this hub as ``Host``: ``127.0.0.1``, ``localhost`` or ``[::1]`` with the hub's own port, else
  403 (a DNS-rebound name pointing at 127.0.0.1 carries its own name);
- send ``Content-Type: application/json`` (else 415): a cross-site form or ``text/plain`` POST, which a
  browser sends without asking, is never run.
The app holds the expected secret in ``app.state.admin_secret`` (``create_local_app``); without one
every call is refused.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from mobie_hub.admin import secret
from mobie_hub.admin.registry import dispatch, error_payload
from mobie_hub.core.errors import Forbidden, HubError, InvalidRequest, Unauthenticated
from mobie_hub.ocpi.error_mapping import codes_for

router = APIRouter(prefix="/admin", include_in_schema=False)
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class UnsupportedMediaType(HubError):
    """Not ``application/json``."""


def _is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_is_this_hub(request: Request) -> bool:
    server = request.scope.get("server") or (None, None)
    port = server[1]
    host = request.headers.get("host", "").lower()
    allowed = {f"{name}:{port}" for name in LOOPBACK_NAMES}
    if port in (80, 443):  # a client leaves the default port out of Host
        allowed |= set(LOOPBACK_NAMES)
    return host in allowed


def _guard(request: Request) -> None:
    if not _is_loopback(request):
        raise Forbidden("the admin interface answers on loopback only")
    if not _host_is_this_hub(request):
        raise Forbidden("the admin interface answers to Host 127.0.0.1, localhost or [::1] (its port) only")
    presented = request.headers.get(secret.HEADER)
    if not presented:
        raise Unauthenticated(f"the admin interface needs the {secret.HEADER} header (the CLI sends it)")
    if not secret.matches(getattr(request.app.state, "admin_secret", None), presented):
        raise Forbidden("wrong admin secret")
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType("the admin interface takes application/json only")


async def _payload(request: Request) -> dict[str, Any]:
    body = await request.body()
    if not body.strip():
        return {}
    try:
        payload = json.loads(body)
    except ValueError:
        raise InvalidRequest("the body is not JSON") from None
    if not isinstance(payload, dict):
        raise InvalidRequest("the body must be a JSON object")
    return payload


@router.post("/{name}")
async def run_operation(name: str, request: Request) -> JSONResponse:
    try:
        _guard(request)
        payload = await _payload(request)
        # The operations are blocking (DynamoDB, calls to parties): off the event loop.
        return JSONResponse(await run_in_threadpool(dispatch, name, payload))
    except UnsupportedMediaType as exc:
        return JSONResponse(error_payload(exc), status_code=415)
    except HubError as exc:  # admin answers are plain JSON, not the OCPI envelope
        http_status = codes_for(exc)[1]
        return JSONResponse(error_payload(exc), status_code=http_status if http_status >= 400 else 502)
