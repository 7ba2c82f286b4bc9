"""Pure ASGI middleware: X-Request-ID / X-Correlation-ID and routing headers on every response
(``OcpiHeadersMiddleware``); authentication before the body and the body's limits (``BodyGuardMiddleware``).

Pure ASGI (not BaseHTTPMiddleware) so they add no task per request, and buffering only where the
body's limits need it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mobie_hub.core import json_limits
from mobie_hub.core.context import Caller
from mobie_hub.core.context import correlation_id as correlation_id_var
from mobie_hub.core.errors import HubError, InvalidRequest, Unauthenticated
from mobie_hub.core.observability import logger
from mobie_hub.core.settings import get_settings
from mobie_hub.ocpi import auth
from mobie_hub.ocpi.envelope import ocpi_response
from mobie_hub.ocpi.error_mapping import codes_for
from mobie_hub.ocpi.status import OcpiStatus


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


class BodyGuardMiddleware:
    """Pure ASGI, inside ``OcpiHeadersMiddleware``: what a request body may cost before the app sees it.

    A request that carries a body is authenticated first, from its headers alone: an unknown token
    is answered 401 before one byte of the body is read. The one token lookup is left in the scope
    (``auth.PRE_AUTHENTICATED``), so the route's auth dependency does not look the token up again.
    Then the body is read up to ``max_bytes`` (API Gateway REST's 10 MB): a Content-Length over it is
    refused 413 unread, a chunked body is counted as it streams and cut at the cap. A body nested
    deeper than ``json_limits.MAX_DEPTH`` is refused 2001 / 400 before any parser recurses into it.
    The app then reads the body as usual (replayed from here, read once).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        authenticate: Callable[[str | None], Caller] = auth.authenticate,
        max_bytes: int = json_limits.MAX_OCPI_BODY_BYTES,
    ) -> None:
        self.app = app
        self.authenticate = authenticate
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/ocpi"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not _carries_body(scope, headers):
            await self.app(scope, receive, send)
            return
        try:
            caller = await run_in_threadpool(self.authenticate, headers.get("authorization"))
        except Unauthenticated as refused:
            await _refuse(scope, receive, send, refused, unread=True)
            return
        scope.setdefault("state", {})[auth.PRE_AUTHENTICATED] = caller
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(scope, receive, send, self.max_bytes)
            return
        body = await self._read(receive)
        if body is None:  # the client went away while sending
            return
        if len(body) > self.max_bytes:
            await _too_large(scope, receive, send, self.max_bytes)
            return
        try:
            json_limits.check(body)
        except json_limits.JsonLimitExceeded as exc:
            await _refuse(scope, receive, send, InvalidRequest(str(exc)), unread=False)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_bytes or not message.get("more_body", False):
                return b"".join(chunks)


def _carries_body(scope: Scope, headers: Headers) -> bool:
    """Whether the request may carry a body: its headers say so, or its method does (an event that
    reaches Lambda through Mangum need not carry Content-Length)."""
    return (
        scope["method"] in ("POST", "PUT", "PATCH")
        or headers.get("content-length", "0") not in ("", "0")
        or "transfer-encoding" in headers
    )


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()  # after the body: the server's own messages (a disconnect)
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


async def _refuse(scope: Scope, receive: Receive, send: Send, error: HubError, *, unread: bool) -> None:
    status, http_status = codes_for(error)
    logger.info("request refused", path=scope["path"], ocpi_status=int(status), reason=error.message)
    # A body left unread ends the connection: the client cannot send its next request on it.
    response = ocpi_response(
        status_code=status,
        message=error.message,
        http_status=http_status,
        headers={"Connection": "close"} if unread else None,
    )
    await response(scope, receive, send)


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
    message = f"the request body is larger than the {size} allowed"
    logger.info("request refused", path=scope["path"], ocpi_status=int(OcpiStatus.CLIENT_ERROR), reason=message)
    response = ocpi_response(
        status_code=OcpiStatus.CLIENT_ERROR, message=message, http_status=413, headers={"Connection": "close"}
    )
    await response(scope, receive, send)
