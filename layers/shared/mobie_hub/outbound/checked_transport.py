"""The outbound URL policy at connect time (``url_policy``, issue #12 finding 4): httpx's transport
over an httpcore backend that resolves a host once, checks every address it resolves to and connects
to one of those. Apart from ``url_policy`` because only the code that opens connections needs
httpcore: a handler that only checks the URLs parties hand over (commands' ``response_url``) loads
none of it (cold start, ``make bench``).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

from mobie_hub.outbound.url_policy import UrlPolicy


class CheckedBackend(httpcore.SyncBackend):
    """httpcore's network backend with the policy at connect time: resolve once, check every
    address, connect to a checked one (no second lookup, so no DNS rebinding in between)."""

    def __init__(self, policy: Callable[[], UrlPolicy]) -> None:
        self._policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self._policy().resolve(host, port)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"{host} resolved to no address")

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not an outbound destination")


class CheckedTransport(httpx.HTTPTransport):
    """httpx's transport whose connections go through ``CheckedBackend``. No proxies: a proxy would
    connect on the hub's behalf to an address the policy never saw."""

    def __init__(self, policy: Callable[[], UrlPolicy] = UrlPolicy.from_settings) -> None:
        super().__init__(trust_env=False)
        # httpx builds its pool without a way to pass the network backend; the same pool with ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=True),  # SSL_CERT_FILE is still honoured
            network_backend=CheckedBackend(policy),
        )

