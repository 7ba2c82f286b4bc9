"""Inbound OCPI: every request to ``/ocpi/…`` and the hub's response, as two audit records.

A pure ASGI middleware outside ``OcpiHeadersMiddleware``: it sees the body as it arrives, the
response as it leaves (with the X-Request-ID / X-Correlation-ID that middleware settled on) and the
authenticated caller the auth dependency left in ``scope["state"]``. Records are handed to the sink
after the response is sent; the local admin routes and the OCPP websocket are not OCPI and not here.

Of each body only the first ``MAX_KEPT_BYTES`` are kept (a record holds ``MAX_BODY_CHARS`` anyway):
the audit trail never holds a second copy of a 10 MB body.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mobie_hub.audit import recorder
from mobie_hub.audit.record import AuditRecord
from mobie_hub.audit.redact import MAX_BODY_CHARS, redact_body
from mobie_hub.core import json_limits
from mobie_hub.core.observability import count, logger
from mobie_hub.core.types import utcnow
from mobie_hub.ocpi.auth import PRE_AUTHENTICATED

MAX_KEPT_BYTES = 4 * MAX_BODY_CHARS  # a UTF-8 character is at most 4 bytes


class _Kept:
    """The start of a body as it passes, and whether more passed than was kept."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.cut = False

    def add(self, chunk: bytes) -> None:
        room = MAX_KEPT_BYTES - self.size
        if len(chunk) > room:
            chunk, self.cut = chunk[: max(room, 0)], True
        if chunk:
            self.chunks.append(chunk)
            self.size += len(chunk)

    def bytes(self) -> bytes:
        return b"".join(self.chunks)


class AuditMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/ocpi"):
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})  # shared with the inner middleware (it copies the scope, not the dict)
        arrived, started = utcnow(), time.perf_counter()
        request_body = _Kept()
        response: dict[str, Any] = {"status": None, "headers": {}, "body": _Kept()}

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                request_body.add(message.get("body", b""))
            return message

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["headers"] = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
            elif message["type"] == "http.response.body":
                response["body"].add(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        finally:
            try:
                _record(scope, arrived, started, request_body, response)
            except Exception:  # noqa: BLE001 - a failure to record is logged; it never fails the request
                logger.exception("audit record failed", path=scope["path"])
                count("AuditWriteFailed")


def _record(scope: Scope, arrived, started: float, request: _Kept, response: dict[str, Any]) -> None:
    state = scope.get("state") or {}
    # The caller the auth dependency accepted, else the one the body guard resolved before refusing
    # the body (its token is still scrubbed from what is recorded).
    caller = state.get("caller") or state.get(PRE_AUTHENTICATED)
    headers = response["headers"]
    path = scope["path"]
    module = recorder.module_of(path)
    credentials = module == "credentials"
    known = [caller.token] if caller is not None and caller.token else []
    party = recorder.party_label(getattr(caller, "country_code", None), getattr(caller, "party_id", None))
    request_body = request.bytes()
    request_text, request_cut = redact_body(request_body, credentials=credentials, known=known)
    response_raw = response["body"].bytes()
    response_text, response_cut = redact_body(response_raw, credentials=credentials, known=known)
    request_cut, response_cut = request_cut or request.cut, response_cut or response["body"].cut
    try:
        request_json = json_limits.loads(request_body) if request_body else None
    except ValueError:  # not JSON, or too deep to read: recorded as text
        request_json = None
    try:
        ocpi_status = recorder.ocpi_envelope_status(json_limits.loads(response_raw)) if response_raw else None
    except ValueError:
        ocpi_status = None
    common: dict[str, Any] = {
        "channel": "ocpi",
        "party": party,
        "module": module,
        "method": scope["method"],
        "url": path,
        "session_id": recorder.session_id_of(module, path, request_json),
        "request_id": headers.get("x-request-id") or state.get("request_id"),
        "correlation_id": headers.get("x-correlation-id") or state.get("correlation_id"),
    }
    recorder.write(
        AuditRecord(
            at=arrived,
            direction="in",
            kind="request",
            body=request_text,
            body_truncated=request_cut,
            **common,
        ),
        AuditRecord(
            at=utcnow(),
            direction="out",
            kind="response",
            http_status=response["status"],
            ocpi_status=ocpi_status,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            body=response_text,
            body_truncated=response_cut,
            **common,
        ),
    )
    count(
        "OcpiRequests",
        module=module or "unknown",
        http_status=str(response["status"]),
        ocpi_status=str(ocpi_status),
    )
