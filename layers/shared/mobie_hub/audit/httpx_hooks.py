"""Outbound OCPI (pushes, callbacks, registration, pull sync): httpx event hooks that record every
request the hub sends and every response it gets, as two audit records.

The request is recorded as it leaves (also when no answer ever comes: a timeout leaves the request
record alone); the response when its body has been read. The request's own ``Authorization`` token
is scrubbed from both bodies, and credentials bodies lose their ``token``.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import httpx

from mobie_hub.audit import recorder
from mobie_hub.audit.record import AuditRecord
from mobie_hub.audit.redact import redact_body
from mobie_hub.core import json_limits
from mobie_hub.core.observability import count, logger
from mobie_hub.core.types import utcnow

_STARTED = "mobie_hub.audit.started"
_SESSION = "mobie_hub.audit.session_id"


def event_hooks() -> dict[str, list[Any]]:
    """For ``httpx.Client(event_hooks=…)``."""
    return {"request": [_guarded(_on_request)], "response": [_guarded(_on_response)]}


def _guarded(hook: Callable[[Any], None]) -> Callable[[Any], None]:
    """An exception in an httpx hook fails the call: recording must not, so it is logged instead.
    httpx's own errors (a body that breaks off while read) still reach the client, which maps them."""

    def run(message: Any) -> None:
        try:
            hook(message)
        except httpx.HTTPError:
            raise
        except Exception:  # noqa: BLE001 - recording must never fail the call it records (see above)
            logger.exception("audit record failed", url=str(message.url if hasattr(message, "url") else ""))
            count("AuditWriteFailed")

    return run


def _token(request: httpx.Request) -> list[str]:
    value = request.headers.get("authorization", "")
    if not value.lower().startswith("token "):
        return []
    token = value[6:].strip()
    try:
        return [token, base64.b64decode(token, validate=True).decode()]
    except ValueError:
        return [token]


def _common(request: httpx.Request) -> dict[str, Any]:
    url = str(request.url.copy_with(query=None))
    module = recorder.module_of(request.url.path)
    headers = request.headers
    return {
        "channel": "ocpi",
        "module": module,
        "method": request.method,
        "url": url,
        "party": recorder.party_label(headers.get("ocpi-to-country-code"), headers.get("ocpi-to-party-id")),
        "request_id": headers.get("x-request-id"),
        "correlation_id": headers.get("x-correlation-id"),
    }


def _on_request(request: httpx.Request) -> None:
    request.extensions[_STARTED] = time.perf_counter()
    common = _common(request)
    content = request.content
    text, cut = redact_body(content, credentials=common["module"] == "credentials", known=_token(request))
    try:
        parsed = json_limits.loads(content) if content else None
    except ValueError:
        parsed = None
    session_id = request.extensions[_SESSION] = recorder.session_id_of(
        common["module"], request.url.path, parsed
    )
    recorder.write(
        AuditRecord(
            at=utcnow(),
            direction="out",
            kind="request",
            body=text,
            body_truncated=cut,
            session_id=session_id,
            **common,
        )
    )


def _on_response(response: httpx.Response) -> None:
    request = response.request
    common = _common(request)
    raw = response.read()
    text, cut = redact_body(raw, credentials=common["module"] == "credentials", known=_token(request))
    try:  # a party's answer: read within limits (a deep one would raise RecursionError)
        ocpi_status = recorder.ocpi_envelope_status(json_limits.loads(raw))
    except ValueError:
        ocpi_status = None
    started = request.extensions.get(_STARTED)
    recorder.write(
        AuditRecord(
            at=utcnow(),
            direction="in",
            kind="response",
            http_status=response.status_code,
            ocpi_status=ocpi_status,
            duration_ms=round((time.perf_counter() - started) * 1000, 1) if started else None,
            body=text,
            body_truncated=cut,
            session_id=request.extensions.get(_SESSION),
            **common,
        )
    )
