"""The httpx adapter of the outbound OCPI client (AWS and local alike)."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from mobie_hub.audit.httpx_hooks import event_hooks
from mobie_hub.core import json_limits
from mobie_hub.core.context import correlation_id
from mobie_hub.core.observability import logger
from mobie_hub.core.settings import get_settings
from mobie_hub.outbound.answer_limit import CappedTransport
from mobie_hub.outbound.checked_transport import CheckedTransport
from mobie_hub.outbound.client import Addressee, CallObserver, OcpiClient, OcpiReply, OutboundCallFailed, Peer
from mobie_hub.outbound.url_policy import UrlPolicy, UrlRefused


def authorization(token: str) -> str:
    """OCPI 2.2 transport_and_format §4.1.3: ``Token`` + base64 of the credentials token."""
    return "Token " + base64.b64encode(token.encode()).decode()


class HttpxOcpiClient(OcpiClient):
    """Calls parties over HTTPS with httpx. ``transport`` replaces the network in tests
    (``httpx.MockTransport``); the timeout is ``settings.outbound_timeout_seconds`` unless given.

    Every URL passes the outbound URL policy (``url_policy``; read from the settings at each call
    unless ``policy`` is given) before the request, and the real network transport checks every
    address it connects to (``CheckedTransport``): this adapter is the one way out."""

    def __init__(
        self,
        *,
        observer: CallObserver | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float | None = None,
        policy: UrlPolicy | None = None,
    ) -> None:
        super().__init__(observer)
        self._policy = (lambda: policy) if policy is not None else UrlPolicy.from_settings
        self._http = httpx.Client(
            # a party's answer is read up to the OCPI body limit, whatever it sends (answer_limit)
            transport=CappedTransport(transport or CheckedTransport(self._policy)),
            trust_env=False,  # no proxies from the environment: they would bypass CheckedTransport
            timeout=timeout or get_settings().outbound_timeout_seconds,
            follow_redirects=False,  # a redirect would re-send the token to wherever it points
            event_hooks=event_hooks(),  # every request and response into the audit trail (mobie_hub.audit)
        )

    def close(self) -> None:
        self._http.close()

    def headers_for(self, token: str, to: Peer | Addressee) -> dict[str, str]:
        hub = get_settings().hub
        request_id = str(uuid.uuid4())
        correlation = correlation_id.get() or str(uuid.uuid4())
        if correlation == request_id:  # pragma: no cover - two fresh UUIDs never collide
            correlation = str(uuid.uuid4())
        headers = {
            "Authorization": authorization(token),
            "Accept-Encoding": "identity",  # what is counted against the answer limit is what is held
            "X-Request-ID": request_id,
            "X-Correlation-ID": correlation,
            "OCPI-from-country-code": hub.country_code,
            "OCPI-from-party-id": hub.party_id,
        }
        # Profile §3: hub → platform has TO = the platform (unknown until registration completes).
        if to.country_code and to.party_id:
            headers["OCPI-to-country-code"] = to.country_code
            headers["OCPI-to-party-id"] = to.party_id
        return headers

    def send(
        self,
        method: str,
        url: str,
        *,
        token: str,
        to: Peer | Addressee,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> OcpiReply:
        headers = self.headers_for(token, to)
        started = time.perf_counter()
        log = {
            "method": method,
            "url": url,
            "party": to.label,
            "request_id": headers["X-Request-ID"],
            "correlation_id": headers["X-Correlation-ID"],
        }
        try:
            reply = self._exchange(method, url, headers, body, params)
        except OutboundCallFailed as exc:
            logger.warning(
                "ocpi call failed",
                **log,
                outcome="failed",
                http_status=exc.http_status,
                ocpi_status=exc.ocpi_status,
                reason=exc.message,
                ms=_ms(started),
            )
            raise
        logger.info(
            "ocpi call",
            **log,
            outcome="ok",
            http_status=reply.http_status,
            ocpi_status=reply.status_code,
            ms=_ms(started),
        )
        return reply

    def _exchange(
        self, method: str, url: str, headers: dict[str, str], body: Any, params: Mapping[str, Any] | None
    ) -> OcpiReply:
        where = f"{method} {url}"
        try:
            self._policy().check_url(url)
            response = self._http.request(method, url, headers=headers, json=body, params=params)
        except UrlRefused as exc:  # before the request, or at connect time (the resolved address)
            # Not the party's connection status: reachable stays True, HubClientInfo is not changed.
            raise OutboundCallFailed(
                f"{where}: refused by the outbound URL policy ({exc.reason})", reachable=True
            ) from None
        except httpx.TimeoutException as exc:
            raise OutboundCallFailed(
                f"{where}: no answer within the timeout ({type(exc).__name__})", reachable=False
            ) from exc
        except (httpx.HTTPError, ValueError) as exc:  # ValueError: a URL httpx cannot even parse
            raise OutboundCallFailed(
                f"{where}: unreachable ({type(exc).__name__}: {exc})", reachable=False
            ) from exc
        envelope = _envelope(response)
        if envelope is None:
            raise OutboundCallFailed(
                f"{where}: HTTP {response.status_code} with a body that is not an OCPI response",
                reachable=False,
                http_status=response.status_code,
            )
        status, message = envelope.get("status_code"), envelope.get("status_message")
        if response.is_error or status != 1000:
            detail = f" ({message})" if message else ""
            raise OutboundCallFailed(
                f"{where}: HTTP {response.status_code}, OCPI status_code {status}{detail}",
                # A 5xx is the party failing even when it still wraps the failure in an envelope.
                reachable=response.status_code < 500,
                http_status=response.status_code,
                ocpi_status=status,
            )
        return OcpiReply(
            data=envelope.get("data"),
            status_code=status,
            status_message=message,
            http_status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            next_url=response.links.get("next", {}).get("url"),
        )


def _envelope(response: httpx.Response) -> dict[str, Any] | None:
    """The OCPI envelope of a response, or None if the body is not one (HTML error pages, junk)."""
    try:  # within json_limits: a party's deeply nested answer must not raise RecursionError here
        body = json_limits.loads(response.content)
    except ValueError:
        return None
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("status_code"), int)
        or isinstance(body.get("status_code"), bool)
    ):
        return None
    return body


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
