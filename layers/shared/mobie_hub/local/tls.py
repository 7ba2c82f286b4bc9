"""HTTPS with client certificates for the local hub (``serve --tls-cert --tls-key --client-ca``).

uvicorn does not implement the ASGI TLS extension, so the peer certificate never reaches the app by
itself. ``TlsH11Protocol`` (uvicorn's h11 protocol, one instance per connection) reads the verified
peer certificate from the connection's ``ssl_object`` when the connection is made and hands every
request of that connection the ASGI TLS extension (``scope["extensions"]["tls"]``, with
``client_cert_chain`` as PEM), which ``mobie_hub.ocpi.client_cert`` reads.

The TLS layer asks for a client certificate and verifies any that is presented against the client CA
(an unknown or expired one fails the handshake); TLS 1.2 is the minimum. A request without one still
completes the handshake so that the loopback admin interface works, and the OCPI API then refuses it
with 403 in the envelope (``MOBIE_REQUIRE_CLIENT_CERT``), as API Gateway plus the same check do in AWS.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


def server_context(cert: str, key: str, client_ca: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # profile §2
    context.load_cert_chain(cert, key)
    context.load_verify_locations(client_ca)
    context.verify_mode = ssl.CERT_OPTIONAL
    return context


def _with_tls_extension(app: Callable, tls: dict[str, Any]) -> Callable:
    async def wrapped(scope, receive, send):
        if scope["type"] in {"http", "websocket"}:
            scope = {**scope, "extensions": {**(scope.get("extensions") or {}), "tls": tls}}
        await app(scope, receive, send)

    return wrapped


class TlsH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus the ASGI TLS extension carrying the client certificate."""

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is None:
            return
        der = ssl_object.getpeercert(binary_form=True)
        tls = {
            "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der)] if der else [],
            "client_cert_error": None,
            "tls_version": ssl_object.version(),
            "cipher_suite": (ssl_object.cipher() or (None,))[0],
        }
        self.app = _with_tls_extension(self.app, tls)


def uvicorn_options(cert: str, key: str, client_ca: str) -> dict[str, Any]:
    """Extra ``uvicorn.Config`` arguments for HTTPS with client certificates."""
    context = server_context(cert, key, client_ca)
    return {"http": TlsH11Protocol, "ssl_context_factory": lambda config, default: context}
