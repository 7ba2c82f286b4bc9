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
from mobie_hub.core.errors import Forbidden, HubError, InvalidRequest, Unauthenticated
from mobie_hub.core.observability import logger
from mobie_hub.core.settings import get_settings
from mobie_hub.ocpi import auth
from mobie_hub.ocpi.envelope import ocpi_response
from mobie_hub.ocpi.error_mapping import codes_for
from mobie_hub.ocpi.status import OcpiStatus


# OCPI 2.2.1 (transport_and_format "Unique message IDs") sets no length or form for X-Request-ID and
# X-Correlation-ID: it advises UUIDs, and its own examples use "774321". **(choice)** The hub echoes any
# value of 1 to 255 printable ASCII characters; a longer or non-ASCII one is refused (2001 / 400): it
# could not travel on in the hub's own calls (outbound headers are ASCII), nor be stored and logged.
MAX_MESSAGE_ID_LENGTH = 255


def _message_id(headers: Headers, name: str) -> tuple[str | None, str | None]:
    """(the id as sent, or None when absent or empty; why it is refused, or None)."""
    value = headers.get(name)
    if not value:
        return None, None
    if len(value) > MAX_MESSAGE_ID_LENGTH or not (value.isascii() and value.isprintable()):
        return None, f"{name}: must be 1 to {MAX_MESSAGE_ID_LENGTH} printable ASCII characters"
    return value, None


class OcpiHeadersMiddleware:
    """X-Request-ID / X-Correlation-ID echoed as sent (OCPI: "the response to this request SHALL contain
    the same ID"), generated (UUIDs) only when absent; routing headers hub → caller on every response.

    Profile §3 ("X-Request-ID and X-Correlation-ID are UUIDs and must differ", seed §3.1.3) binds what
    a party sends and what the hub generates: the hub's own ids are fresh, distinct UUIDs. It is no
    licence to rewrite a party's ids: an id that is not a UUID, or a correlation id equal to the request
    id, is still echoed, so the party can match the answer (docs/architecture.md "Request plumbing").
    """

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
        sent_request_id, bad_request_id = _message_id(request_headers, "X-Request-ID")
        sent_correlation_id, bad_correlation_id = _message_id(request_headers, "X-Correlation-ID")
        request_id = sent_request_id or str(uuid.uuid4())
        correlation_id = sent_correlation_id or str(uuid.uuid4())
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

        refused = bad_request_id or bad_correlation_id
        if refused:
            # answered with fresh ids (the refused one cannot be echoed) in the envelope, before the app
            status = OcpiStatus.INVALID_OR_MISSING_PARAMETERS
            logger.info("request refused", path=scope["path"], ocpi_status=int(status), reason=refused)
            response = ocpi_response(status_code=status, message=refused, http_status=400)
            await response(scope, receive, send_with_headers)
            return

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
            auth.check_before_body(caller, scope["path"])  # a module the caller may not reach: body unread
        except (Unauthenticated, Forbidden) as refused:
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
