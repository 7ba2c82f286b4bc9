"""The outbound OCPI client port: every push and callback the hub makes to a party goes through it.

``OcpiClient`` is the port. Subclasses implement one method, ``send`` (one HTTP exchange, envelope
parsed); the module-level calls (``get``/``put``/``patch``/``post``/``delete``/``get_all_pages``) are
built on it here, so every adapter — httpx in production, fakes in tests — behaves the same way.

A call either returns an ``OcpiReply`` whose ``status_code`` is 1000 or raises ``OutboundCallFailed``
(an ``UnableToUseClientApi``: OCPI 3001 if it reaches a caller of the hub). The client never retries
(profile §3: the data stays readable through GET); the one push that is retried, a CDR's, is retried
by its delivery record (``cdrs.delivery``), not here.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel

from mobie_hub.core.context import correlation_id
from mobie_hub.core.errors import MissingEndpoints, UnableToUseClientApi
from mobie_hub.core.models import dump_ocpi
from mobie_hub.core.versions import InterfaceRole

SENDER, RECEIVER = InterfaceRole.SENDER, InterfaceRole.RECEIVER


class Peer(Protocol):
    """What the client needs of a party (``mobie_hub.parties.party.Party`` is one)."""

    @property
    def label(self) -> str: ...  # "EMSP PT/EDP", for logs and messages

    country_code: str
    party_id: str
    party_token: str | None
    version: str | None

    def endpoint_url(self, module: str, interface: InterfaceRole | None = None) -> str | None: ...


@dataclass(frozen=True)
class Addressee:
    """Who a raw-URL call goes to, when there is no party record yet (registration)."""

    label: str
    country_code: str | None = None
    party_id: str | None = None


@dataclass(frozen=True)
class OcpiReply:
    """A successful OCPI answer (``status_code`` 1000) and what pagination needs of its headers."""

    data: Any
    status_code: int
    status_message: str | None
    http_status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    next_url: str | None = None  # the Link rel="next" target, if any

    @property
    def total_count(self) -> int | None:
        value = self.headers.get("x-total-count")
        return int(value) if value and value.isdigit() else None


class OutboundCallFailed(UnableToUseClientApi):
    """A call to a party failed: unreachable, non-2xx, not an OCPI envelope, or ``status_code`` != 1000.

    ``reachable`` is True when the party did answer with an OCPI envelope (it is alive, it refused);
    False when it could not be reached or answered garbage — that marks the party OFFLINE.
    """

    def __init__(
        self,
        message: str,
        *,
        reachable: bool,
        http_status: int | None = None,
        ocpi_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.reachable = reachable
        self.http_status = http_status
        self.ocpi_status = ocpi_status


class CallObserver(Protocol):
    """Told the outcome of every call made to a known party (keeps HubClientInfo status current)."""

    def outcome(self, party: Peer, *, reachable: bool) -> None: ...


@contextmanager
def correlation_scope(value: str | None = None) -> Iterator[str]:
    """Calls made inside share one X-Correlation-ID: the current request's if there is one, else ``value``
    or a fresh UUID (a renewal, a push started by an event)."""
    current = correlation_id.get()
    if current and value is None:
        yield current
        return
    chosen = value or str(uuid.uuid4())
    reset = correlation_id.set(chosen)
    try:
        yield chosen
    finally:
        correlation_id.reset(reset)


def dump_body(body: Any, version: str | None) -> Any:
    """JSON-ready body: pydantic OCPI models in the shape of the party's OCPI version."""
    if isinstance(body, BaseModel):
        return dump_ocpi(body, version or "2.2.1")
    if isinstance(body, list):
        return [dump_body(item, version) for item in body]
    return body


def endpoint_join(base: str, path: str) -> str:
    """The URL of ``path`` below a party's endpoint URL ``base``.

    Without a path the URL is used exactly as the party gave it: a party that advertises
    ``…/cdrs/`` serves POST there and answers ``…/cdrs`` with a redirect, which the client does not
    follow (the token must not travel on), so a CDR POSTed to the other spelling was never delivered
    (issue #17 item 12). Segments are joined with exactly one ``/``, the rest of the URL kept as given.
    """
    segments = path.strip("/")
    if not segments:
        return base
    return base.rstrip("/") + "/" + segments


class OcpiClient(ABC):
    """The port. Module calls take a party, the module identifier and a path below the module's URL."""

    def __init__(self, observer: CallObserver | None = None) -> None:
        self.observer = observer

    @abstractmethod
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
        """One exchange: ``Authorization: Token <base64>``, fresh X-Request-ID, the current
        X-Correlation-ID, routing headers hub → ``to``; the envelope parsed; one log line."""

    # --- calls to a registered party's modules -------------------------------------------------
    def get(
        self,
        party: Peer,
        module: str,
        path: str = "",
        params: Mapping[str, Any] | None = None,
        *,
        interface: InterfaceRole = SENDER,
    ) -> OcpiReply:
        return self._module_call("GET", party, module, path, interface, params=params)

    def put(
        self, party: Peer, module: str, path: str, body: Any, *, interface: InterfaceRole = RECEIVER
    ) -> OcpiReply:
        return self._module_call("PUT", party, module, path, interface, body=body)

    def patch(
        self, party: Peer, module: str, path: str, body: Any, *, interface: InterfaceRole = RECEIVER
    ) -> OcpiReply:
        return self._module_call("PATCH", party, module, path, interface, body=body)

    def post(
        self, party: Peer, module: str, path: str, body: Any, *, interface: InterfaceRole = RECEIVER
    ) -> OcpiReply:
        return self._module_call("POST", party, module, path, interface, body=body)

    def delete(
        self, party: Peer, module: str, path: str = "", *, interface: InterfaceRole = RECEIVER
    ) -> OcpiReply:
        return self._module_call("DELETE", party, module, path, interface)

    def get_all_pages(
        self,
        party: Peer,
        module: str,
        params: Mapping[str, Any] | None = None,
        *,
        interface: InterfaceRole = SENDER,
        max_pages: int = 10_000,
    ) -> Iterator[Any]:
        """Every item of a paginated list, following ``Link: <…>; rel="next"`` to the end."""
        reply = self.get(party, module, params=params, interface=interface)
        for _ in range(max_pages):
            if not isinstance(reply.data, list):
                raise OutboundCallFailed(
                    f"{party.label} answered a {module} list request with data that is not a list",
                    reachable=True,
                    http_status=reply.http_status,
                    ocpi_status=reply.status_code,
                )
            yield from reply.data
            if not reply.next_url:
                return
            reply = self.send_to(party, "GET", reply.next_url)
        raise OutboundCallFailed(
            f"{party.label} kept sending Link headers past {max_pages} pages", reachable=True
        )

    def send_to(
        self, party: Peer, method: str, url: str, *, body: Any = None, params: Mapping[str, Any] | None = None
    ) -> OcpiReply:
        """A call to a URL of a registered party with its token; the outcome is observed."""
        if not party.party_token:
            raise OutboundCallFailed(f"the hub holds no credentials token for {party.label}", reachable=True)
        try:
            reply = self.send(
                method,
                url,
                token=party.party_token,
                to=party,
                body=dump_body(body, party.version),
                params=params,
            )
        except OutboundCallFailed as exc:
            self._observe(party, reachable=exc.reachable)
            raise
        self._observe(party, reachable=True)
        return reply

    def _module_call(
        self,
        method: str,
        party: Peer,
        module: str,
        path: str,
        interface: InterfaceRole,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> OcpiReply:
        base = party.endpoint_url(module, interface)
        if base is None:
            raise MissingEndpoints(f"{party.label} exposes no {module} {interface.value} endpoint")
        return self.send_to(party, method, endpoint_join(base, path), body=body, params=params)

    def _observe(self, party: Peer, *, reachable: bool) -> None:
        if self.observer is not None:
            self.observer.outcome(party, reachable=reachable)
