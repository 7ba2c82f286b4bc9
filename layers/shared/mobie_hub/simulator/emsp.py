"""A simulated EMSP for the sandbox (``mobie-hub simulate emsp``, ``mobie-hub demo``)::

timeline = Timeline()
async with running_emsp(EmspOptions("SIM", hub="http://127.0.0.1:8080"), timeline) as emsp:
    await emsp.register()          # token A from the local hub's admin interface, then the handshake
    await emsp.push_tokens()       # an RFID card and an app user
    await emsp.start("LSB-01033")  # START_SESSION; the CommandResult and the session come as pushes

It serves its receivers on a loopback port (``emsp_receivers``) in the caller's event loop, and calls
the hub with httpx. The hub calls loopback party URLs only when started with
``serve --allow-loopback-parties`` (the sandbox's option; ``make run`` passes it).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import ipaddress
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn

from mobie_hub.admin.client import AdminError, AdminTransport, HttpAdmin
from mobie_hub.core.identifiers import contract_id_for
from mobie_hub.simulator.emsp_receivers import HUB, build_app
from mobie_hub.simulator.timeline import Timeline

OPERATOR = "operator"


class EmspError(Exception):
    """The hub (or its admin interface) did not do what the simulated EMSP asked; says what and why."""


@dataclass(frozen=True)
class EmspOptions:
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


class SimulatedEmsp:
    def __init__(
        self, options: EmspOptions, timeline: Timeline, *, admin: AdminTransport | None = None
    ) -> None:
        self.options = options
        self.version = options.version
        self.timeline = timeline
        self.label = f"EMSP {options.country_code}/{options.party_id}"
        self.admin = admin or HttpAdmin(options.hub, timeout=30)
        self.base_url = ""  # set once serving
        self.tokens_for_hub: list[str] = []  # what the hub may call this EMSP with, the newest last
        self.hub_token: str | None = None  # what this EMSP calls the hub with (token A, then C)
        self.hub_endpoints: dict[str, str] = {}
        self.tokens: dict[str, dict[str, Any]] = {}  # by uid, as pushed
        self.locations: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}  # by id, PUT and PATCHes merged
        self.cdrs: dict[str, dict[str, Any]] = {}
        self.commands: dict[str, dict[str, Any]] = {}  # by response_url uid

    # --- identity ----------------------------------------------------------------------------------
    @property
    def registered(self) -> bool:
        return bool(self.hub_endpoints) and self.hub_token is not None

    def credentials(self, token: str) -> dict[str, Any]:
        role = {
            "role": "EMSP",
            "country_code": self.options.country_code,
            "party_id": self.options.party_id,
            "business_details": {"name": f"{self.options.party_id} Mobility (simulated)"},
        }
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
        """(HTTP status, envelope) of one call; EmspError when unreachable or not an OCPI answer."""
        try:
            async with httpx.AsyncClient(timeout=30, headers=self._headers()) as http:
                response = await http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise EmspError(f"{method} {url}: {exc.__class__.__name__} {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            raise EmspError(f"{method} {url}: HTTP {response.status_code}, not an OCPI answer") from None
        if not isinstance(body, dict) or "status_code" not in body:
            raise EmspError(f"{method} {url}: HTTP {response.status_code}, not an OCPI envelope")
        return response.status_code, body

    async def _data(self, method: str, url: str, **kwargs: Any) -> Any:
        status, body = await self._ocpi(method, url, **kwargs)
        if body["status_code"] != 1000:
            raise EmspError(
                f"{method} {url}: {body['status_code']} {body.get('status_message', '')} (HTTP {status})"
            )
        return body.get("data")

    def _admin(self, operation: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.admin.call(operation, payload)
        except AdminError as exc:
            raise EmspError(f"admin {operation}: {exc.message}") from exc

    async def register(self) -> None:
        """Token A from the hub's admin interface (replacing an earlier simulated EMSP of the same
        party, whose URLs were on loopback), then the EMSP-initiated handshake (OCPI credentials
        §8.2.1): GET versions, GET details, POST credentials with token B; the hub answers token C."""
        party = {"role": "EMSP", "country_code": self.options.country_code, "party_id": self.options.party_id}
        try:
            invited = await asyncio.to_thread(self.admin.call, "parties.invite", party)
        except AdminError as exc:
            if "already registered" not in exc.message:
                raise EmspError(f"admin parties.invite: {exc.message}") from exc
            await asyncio.to_thread(self._replace_earlier, party)
            invited = await asyncio.to_thread(self._admin, "parties.invite", party)
        self.timeline.say(
            OPERATOR,
            HUB,
            "invited",
            f"parties invite {party['country_code']}/{party['party_id']}",
            token_a="issued",
        )
        self.hub_token = invited["token_a"]
        versions = await self._data("GET", invited["versions_url"])
        chosen = next((v["url"] for v in versions if v.get("version") == self.version), None)
        if chosen is None:
            raise EmspError(f"the hub offers no OCPI {self.version}")
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
            raise EmspError(
                f"{party['country_code']}/{party['party_id']} is registered and not by a simulated EMSP on "
                "this machine: choose another --party-id"
            )
        self._admin("parties.unregister", party)
        self.timeline.say(
            OPERATOR,
            HUB,
            "unregistered",
            "parties unregister (an earlier simulated EMSP)",
            party=f"{party['country_code']}/{party['party_id']}",
        )

    def demo_tokens(self) -> list[dict[str, Any]]:
        """An RFID card and an app user of this EMSP, valid under MOBI.E's rules (docs/tokens.md); the
        RFID uid is derived from the party so that simulated EMSPs never claim the same idTag."""
        cc, pid = self.options.country_code, self.options.party_id
        digest = hashlib.sha256(f"{cc}*{pid}".encode()).hexdigest().upper()
        common = {
            "country_code": cc,
            "party_id": pid,
            "issuer": f"{pid} Mobility (simulated)",
            "valid": True,
            "whitelist": "ALWAYS",
            "energy_contract": {"supplier_name": f"{pid} Energia", "contract_id": "CT_SIM00001"},
            "last_updated": "2026-01-01T00:00:00Z",
        }
        rfid = {
            **common,
            "uid": "04" + digest[:12],
            "type": "RFID",
            "visual_number": f"{pid}-0001",
            "contract_id": contract_id_for(pid, "SIM00001", cc),
        }
        app = {
            **common,
            "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"mobie-hub-simulator:{cc}/{pid}/app")),
            "type": "APP_USER",
            "contract_id": contract_id_for(pid, "SIM00002", cc),
        }
        return [rfid, app]

    async def push_tokens(self, tokens: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        pushed = []
        for token in tokens or self.demo_tokens():
            url = (
                f"{self._hub('tokens')}/{token['country_code']}/{token['party_id']}/{token['uid']}"
                f"?type={token['type']}"
            )
            await self._data("PUT", url, json=token)
            self.tokens[token["uid"]] = token
            self.timeline.say(
                self.label,
                HUB,
                "token",
                f"PUT Token {token['type']} {token['uid']}",
                contract=token["contract_id"],
            )
            pushed.append(token)
        return pushed

    async def read(self, module: str, *path: str, **params: str) -> Any:
        """GET the data of one of the hub's sender interfaces (``read("locations", "LSB-01033")``)."""
        return await self._data("GET", "/".join([self._hub(module), *path]), params=params)

    def _hub(self, module: str) -> str:
        if not self.registered:
            raise EmspError("not registered with the hub")
        return self.hub_endpoints[module].rstrip("/")

    async def command(self, command: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST the command with a fresh response_url; returns the hub's CommandResponse."""
        uid = str(uuid.uuid4())
        request = {
            "response_url": f"{self.base_url}/ocpi/emsp/{self.version}/commands/{command}/{uid}",
            **body,
        }
        self.commands[uid] = {"command": command, "request": request}
        response = await self._data("POST", f"{self._hub('commands')}/{command}", json=request)
        self.commands[uid]["response"] = response
        message = " ".join(m.get("text", "") for m in response.get("message") or [])
        figures = {
            k: v for k, v in body.items() if k in ("location_id", "evse_uid", "connector_id", "session_id")
        }
        self.timeline.say(
            self.label,
            HUB,
            "command_response",
            f"{command} -> CommandResponse",
            ref=uid,
            result=response.get("result"),
            message=message or None,
            **figures,
        )
        return {"uid": uid, **response}

    async def start(
        self, location_id: str, evse_uid: str | None = None, token_uid: str | None = None
    ) -> dict:
        token = self.tokens.get(token_uid) if token_uid else next(iter(self.tokens.values()), None)
        if token is None:
            which = f"token {token_uid}" if token_uid else "token"
            raise EmspError(f"no pushed {which} to start with (push tokens first)")
        body: dict[str, Any] = {"token": token, "location_id": location_id}
        if evse_uid:
            body["evse_uid"] = evse_uid
        return await self.command("START_SESSION", body)

    async def stop(self, session_id: str) -> dict:
        return await self.command("STOP_SESSION", {"session_id": session_id})

    async def unlock(self, location_id: str, evse_uid: str, connector_id: str) -> dict:
        return await self.command(
            "UNLOCK_CONNECTOR",
            {"location_id": location_id, "evse_uid": evse_uid, "connector_id": connector_id},
        )

    async def unregister(self) -> None:
        """DELETE credentials: the hub revokes the tokens both ways (and this EMSP's idTags)."""
        await self._data("DELETE", self._hub("credentials"))
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
                raise EmspError("the simulated EMSP's server stopped at start")
            await asyncio.sleep(0.02)
        return self.server.servers[0].sockets[0].getsockname()[1]

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        with contextlib.suppress(BaseException):
            await self.task


@contextlib.asynccontextmanager
async def running_emsp(
    options: EmspOptions, timeline: Timeline, **kwargs: Any
) -> AsyncIterator[SimulatedEmsp]:
    """Serve the EMSP's interfaces on a loopback port; unregisters it from the hub when done."""
    emsp = SimulatedEmsp(options, timeline, **kwargs)
    async with _EmbeddedServer(build_app(emsp), options.host, options.port) as port:
        emsp.base_url = f"http://{options.host}:{port}"
        timeline.say(emsp.label, "", "listening", f"receivers on {emsp.base_url}/ocpi/versions")
        try:
            yield emsp
        finally:
            if emsp.registered:
                with contextlib.suppress(EmspError):
                    await emsp.unregister()
