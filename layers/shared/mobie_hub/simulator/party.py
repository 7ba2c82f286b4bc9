"""What a simulated party of the sandbox (the EMSP of ``emsp.py``, the CPO of ``cpo.py``) does
towards the hub: a token A from the local hub's admin interface, the party-initiated credentials
handshake naming its role, OCPI calls with its token C, its unregistration; and serving its OCPI
interfaces (``receivers.py``) on a loopback port in the caller's event loop. The hub calls loopback
party URLs only when started with ``serve --allow-loopback-parties`` (``make run`` passes it)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import httpx
import uvicorn

from mobie_hub.admin.client import AdminError, AdminTransport, HttpAdmin
from mobie_hub.simulator.receivers import HUB
from mobie_hub.simulator.timeline import Timeline

OPERATOR = "operator"


class PartyError(Exception):
    """The hub (or its admin interface) did not do what the simulated party asked; says what and why."""


@dataclass(frozen=True)
class PartyOptions:
    party_id: str
    country_code: str = "PT"
    hub: str = "http://127.0.0.1:8080"
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port
    version: str = "2.2.1"


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SimulatedParty:
    """One OCPI role of a simulated platform; subclasses name the ``role`` and the modules they serve."""

    role: ClassVar[str]
    business: ClassVar[str]  # "{party_id} Mobility (simulated)"
    # (identifier, role) of every module this party offers in its version details.
    modules: ClassVar[tuple[tuple[str, str], ...]]

    def __init__(
        self,
        options: PartyOptions,
        timeline: Timeline,
        *,
        admin: AdminTransport | None = None,
        transport: httpx.AsyncBaseTransport | None = None,  # tests: a fake hub
    ) -> None:
        self.options = options
        self.transport = transport
        self.version = options.version
        self.timeline = timeline
        self.label = f"{self.role} {options.country_code}/{options.party_id}"
        self.admin = admin or HttpAdmin(options.hub, timeout=30)
        self.base_url = ""  # set once serving
        self.tokens_for_hub: list[str] = []  # what the hub may call this party with, the newest last
        self.hub_token: str | None = None  # what this party calls the hub with (token A, then C)
        self.hub_endpoints: dict[str, str] = {}
        self.sessions: dict[str, dict[str, Any]] = {}  # by id, PUT and PATCHes merged
        self.cdrs: dict[str, dict[str, Any]] = {}

    # --- identity ----------------------------------------------------------------------------------
    @property
    def registered(self) -> bool:
        return bool(self.hub_endpoints) and self.hub_token is not None

    @property
    def party(self) -> dict[str, str]:
        """The party as the admin interface names it."""
        return {
            "role": self.role,
            "country_code": self.options.country_code,
            "party_id": self.options.party_id,
        }

    def credentials(self, token: str) -> dict[str, Any]:
        role = {**self.party, "business_details": {"name": self.business.format(self.options.party_id)}}
        return {"token": token, "url": f"{self.base_url}/ocpi/versions", "roles": [role]}

    def new_token_for_hub(self) -> str:
        """A fresh token B; the previous one stays valid until the next (a renewal's answer may cross)."""
        token = str(uuid.uuid4())
        self.tokens_for_hub = [*self.tokens_for_hub[-1:], token]
        return token

    def forget_registration(self) -> None:
        self.hub_token, self.hub_endpoints = None, {}

    # --- calls to the hub ---------------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        return {"Authorization": "Token " + base64.b64encode((self.hub_token or "").encode()).decode()}

    async def _ocpi(self, method: str, url: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        """(HTTP status, envelope) of one call; PartyError when unreachable or not an OCPI answer."""
        try:
            async with httpx.AsyncClient(
                timeout=30, headers=self._headers(), transport=self.transport
            ) as http:
                response = await http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise PartyError(f"{method} {url}: {exc.__class__.__name__} {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            raise PartyError(f"{method} {url}: HTTP {response.status_code}, not an OCPI answer") from None
        if not isinstance(body, dict) or "status_code" not in body:
            raise PartyError(f"{method} {url}: HTTP {response.status_code}, not an OCPI envelope")
        return response.status_code, body

    async def _data(self, method: str, url: str, **kwargs: Any) -> Any:
        status, body = await self._ocpi(method, url, **kwargs)
        if body["status_code"] != 1000:
            raise PartyError(
                f"{method} {url}: {body['status_code']} {body.get('status_message', '')} (HTTP {status})"
            )
        return body.get("data")

    def _admin(self, operation: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.admin.call(operation, payload)
        except AdminError as exc:
            raise PartyError(f"admin {operation}: {exc.message}") from exc

    async def register(self) -> None:
        """Token A from the hub's admin interface (replacing an earlier simulated party of the same
        role and party id, whose URLs were on loopback), then the party-initiated handshake (OCPI
        credentials §8.2.1): GET versions, GET details, POST credentials with token B naming this
        party's role; the hub reads this party's versions back and answers token C."""
        party = self.party
        try:
            invited = await asyncio.to_thread(self.admin.call, "parties.invite", party)
        except AdminError as exc:
            if "already registered" not in exc.message:
                raise PartyError(f"admin parties.invite: {exc.message}") from exc
            await asyncio.to_thread(self._replace_earlier, party)
            invited = await asyncio.to_thread(self._admin, "parties.invite", party)
        self.timeline.say(
            OPERATOR,
            HUB,
            "invited",
            f"parties invite {party['country_code']}/{party['party_id']}",
            role=self.role,
            token_a="issued",
        )
        self.hub_token = invited["token_a"]
        versions = await self._data("GET", invited["versions_url"])
        chosen = next((v["url"] for v in versions if v.get("version") == self.version), None)
        if chosen is None:
            raise PartyError(f"the hub offers no OCPI {self.version}")
        details = await self._data("GET", chosen)
        endpoints = {(e["identifier"], e["role"]): e["url"] for e in details["endpoints"]}
        self.timeline.say(
            self.label, HUB, "details", f"GET versions, GET {self.version} details", modules=len(endpoints)
        )
        token_b = self.new_token_for_hub()
        answer = await self._data(
            "POST", endpoints[("credentials", "SENDER")], json=self.credentials(token_b)
        )
        self.hub_token = answer["token"]
        self.hub_endpoints = {identifier: url for (identifier, _), url in endpoints.items()}
        self.timeline.say(
            self.label,
            HUB,
            "registered",
            "POST Credentials: registered",
            url=f"{self.base_url}/ocpi/versions",
            token_c="received",
        )

    def _replace_earlier(self, party: dict[str, Any]) -> None:
        shown = self._admin("parties.show", party)["party"]
        urls = [endpoint["url"] for endpoint in shown.get("endpoints") or []]
        if not urls or not all(_is_loopback(url) for url in urls):
            raise PartyError(
                f"{party['country_code']}/{party['party_id']} is registered as {self.role} and not by a "
                "simulator on this machine: choose another --party-id"
            )
        self._admin("parties.unregister", party)
        self.timeline.say(
            OPERATOR,
            HUB,
            "unregistered",
            f"parties unregister (an earlier simulated {self.role})",
            party=f"{party['country_code']}/{party['party_id']}",
        )

    async def read(self, module: str, *path: str, **params: str) -> Any:
        """GET the data of one of the hub's interfaces (``read("locations", "LSB-01033")``)."""
        return await self._data("GET", "/".join([self.hub_url(module), *path]), params=params)

    def hub_url(self, module: str) -> str:
        """The hub's endpoint of ``module`` as its version details gave it to this party."""
        if not self.registered:
            raise PartyError("not registered with the hub")
        if module not in self.hub_endpoints:
            raise PartyError(f"the hub offers this {self.role} no {module} module")
        return self.hub_endpoints[module].rstrip("/")

    async def unregister(self) -> None:
        """DELETE credentials: the hub revokes the tokens both ways."""
        await self._data("DELETE", self.hub_url("credentials"))
        self.forget_registration()
        self.timeline.say(self.label, HUB, "unregistered", "DELETE Credentials: unregistered")


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # uvicorn's own handlers would swallow the caller's Ctrl-C
        yield


class _EmbeddedServer:
    """uvicorn in the caller's event loop; the caller, not uvicorn, handles Ctrl-C."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        self.server = _Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off"))

    async def __aenter__(self) -> int:
        self.task = asyncio.ensure_future(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()  # raises what stopped it (a port in use, …)
                raise PartyError("the simulated party's server stopped at start")
            await asyncio.sleep(0.02)
        return self.server.servers[0].sockets[0].getsockname()[1]

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        with contextlib.suppress(BaseException):
            await self.task


P = TypeVar("P", bound=SimulatedParty)


@contextlib.asynccontextmanager
async def running(party: P, build_app: Callable[[P], Any]) -> AsyncIterator[P]:
    """Serve the party's interfaces on a loopback port; unregisters it from the hub when done."""
    options = party.options
    async with _EmbeddedServer(build_app(party), options.host, options.port) as port:
        party.base_url = f"http://{options.host}:{port}"
        party.timeline.say(party.label, "", "listening", f"receivers on {party.base_url}/ocpi/versions")
        try:
            yield party
        finally:
            if party.registered:
                with contextlib.suppress(PartyError):
                    await party.unregister()
