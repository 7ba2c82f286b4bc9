"""The outbound OCPI client: how the hub calls parties (pushes, callbacks, registration, pull sync).

Use it like this (``party`` is a ``mobie_hub.parties.party.Party`` read from the parties repository)::

    from mobie_hub.outbound import get_client, OutboundCallFailed

    client = get_client()                       # or an injected OcpiClient (tests: a fake/MockTransport)
    client.put(party, "locations", f"PT/MOB/{location.id}", location)      # RECEIVER interface
    client.patch(party, "locations", f"PT/MOB/{lid}/{evse_uid}", {"status": "AVAILABLE", ...})
    reply = client.get(party, "tokens", params={"date_from": ...})       # SENDER interface
    for token in client.get_all_pages(party, "tokens"):                  # follows Link to the end
        ...
    client.post(party, "cdrs", "", cdr)
    client.send_to(party, "POST", response_url, body=command_result)     # a URL the party gave us

- ``path`` is appended to the party's endpoint URL of ``module``; pydantic OCPI models in bodies are
  dumped in the shape of the party's OCPI version (2.2 or 2.2.1).
- A reply is an ``OcpiReply`` (``data``, ``status_code`` == 1000, ``headers``, ``next_url``,
  ``total_count``). Anything else raises ``OutboundCallFailed`` (an ``UnableToUseClientApi``) with a
  message naming the call and what went wrong; a party without the endpoint raises ``MissingEndpoints``.
  No retries (profile §3).
- Headers: ``Authorization: Token <base64>``, a fresh ``X-Request-ID``, the ``X-Correlation-ID`` of the
  request being served (or of the enclosing ``correlation_scope()``), routing headers hub → party.
- Every call logs one structured line (method, url, party, http/ocpi status, ms, outcome) and, for
  calls to a party, tells the observer whether the party answered: HubClientInfo marks it OFFLINE or
  CONNECTED again (``mobie_hub.parties.connection``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mobie_hub.core.composition import Port

if TYPE_CHECKING:
    from mobie_hub.outbound.client import (
        RECEIVER,
        SENDER,
        Addressee,
        CallObserver,
        OcpiClient,
        OcpiReply,
        OutboundCallFailed,
        Peer,
        correlation_scope,
    )

# The client's names load with the client, on first use: a module that only needs the URL policy
# (``outbound.url_policy``, e.g. the commands Lambda checking a response_url) does not pay for the
# client in its cold start by importing this package.
_CLIENT_NAMES = frozenset({
    "RECEIVER", "SENDER", "Addressee", "CallObserver", "OcpiClient", "OcpiReply", "OutboundCallFailed",
    "Peer", "correlation_scope",
})


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES:
        from mobie_hub.outbound import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "RECEIVER",
    "SENDER",
    "Addressee",
    "CallObserver",
    "OcpiClient",
    "OcpiReply",
    "OutboundCallFailed",
    "Peer",
    "correlation_scope",
    "get_client",
    "use_client",
]


CLIENT: Port[OcpiClient] = Port("outbound.client")


def get_client() -> OcpiClient:
    """The process-wide client the composition root provides (httpx, with the parties' connection
    tracker as observer: ``mobie_hub.wiring``), built on first use; or the one installed with
    ``use_client`` (tests)."""
    return CLIENT.get()


def use_client(client: OcpiClient | None) -> None:
    """Install a client for this process (tests: a fake or a MockTransport); None: rebuild the composed one."""
    CLIENT.use(client)
