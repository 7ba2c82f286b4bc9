"""Pure ASGI middleware: X-Request-ID / X-Correlation-ID and routing headers on every response.

Pure ASGI (not BaseHTTPMiddleware) so it adds no task or body buffering per request.
"""

from __future__ import annotations

import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mobie_hub.observability import logger
from mobie_hub.ocpi.context import correlation_id as correlation_id_var
from mobie_hub.ocpi.envelope import ocpi_response
from mobie_hub.ocpi.status import OcpiStatus
from mobie_hub.settings import get_settings


def _uuid_or_new(value: str | None) -> str:
    """Echo a well-formed UUID; replace anything else with a fresh one (profile §3: they are UUIDs)."""
    if value:
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    return str(uuid.uuid4())


class OcpiHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            # OCPI peers often append "/" to endpoint URLs (the spec's own examples do); serve both
            # forms rather than redirect, which behind API Gateway would point at the wrong host.
            scope = {**scope, "path": path.rstrip("/") or "/"}
        request_headers = Headers(scope=scope)
        request_id = _uuid_or_new(request_headers.get("x-request-id"))
        correlation_id = _uuid_or_new(request_headers.get("x-correlation-id"))
        if correlation_id == request_id:  # profile §3: the two must differ
            correlation_id = str(uuid.uuid4())
        state = scope.setdefault("state", {})
        state.update(request_id=request_id, correlation_id=correlation_id)
        correlation_id_var.set(correlation_id)  # outbound calls for this request carry it (mobie_hub.outbound)
        logger.thread_safe_append_keys(request_id=request_id, correlation_id=correlation_id)  # every log line of it

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                headers["X-Correlation-ID"] = correlation_id
                hub = get_settings().hub
                headers["OCPI-from-country-code"] = hub.country_code
                headers["OCPI-from-party-id"] = hub.party_id
                caller = state.get("caller")
                if caller is not None and caller.country_code:  # a pending registration has no identity yet
                    headers["OCPI-to-country-code"] = caller.country_code
                    headers["OCPI-to-party-id"] = caller.party_id
            await send(message)

        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception:  # the last resort: a bug must still answer in the OCPI envelope, logged
            logger.exception("unexpected error", path=scope.get("path"), request_id=request_id)
            if started:
                raise
            response = ocpi_response(
                status_code=OcpiStatus.SERVER_ERROR, message="Internal server error", http_status=500
            )
            await response(scope, receive, send_with_headers)
