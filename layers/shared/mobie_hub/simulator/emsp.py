"""A simulated EMSP for the sandbox (``mobie-hub simulate emsp``, ``mobie-hub demo``)::

timeline = Timeline()
async with running_emsp(PartyOptions("SIM", hub="http://127.0.0.1:8080"), timeline) as emsp:
    await emsp.register()          # token A from the local hub's admin interface, then the handshake
    await emsp.push_tokens()       # an RFID card and an app user
    await emsp.start("LSB-01033")  # START_SESSION; the CommandResult and the session come as pushes

Registration, the calls to the hub and the server are a simulated party's (``party.py``); the EMSP
adds its tokens and commands, and serves ``emsp_receivers``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mobie_hub.core.identifiers import contract_id_for
from mobie_hub.simulator import emsp_receivers
from mobie_hub.simulator.party import PartyError, PartyOptions, SimulatedParty, running
from mobie_hub.simulator.receivers import HUB
from mobie_hub.simulator.timeline import Timeline


class SimulatedEmsp(SimulatedParty):
    role = "EMSP"
    business = "{} Mobility (simulated)"
    modules = emsp_receivers.MODULES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tokens: dict[str, dict[str, Any]] = {}  # by uid, as pushed
        self.locations: dict[str, dict[str, Any]] = {}
        self.commands: dict[str, dict[str, Any]] = {}  # by response_url uid

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
                f"{self.hub_url('tokens')}/{token['country_code']}/{token['party_id']}/{token['uid']}"
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

    async def command(self, command: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST the command with a fresh response_url; returns the hub's CommandResponse."""
        uid = str(uuid.uuid4())
        request = {
            "response_url": f"{self.base_url}/ocpi/emsp/{self.version}/commands/{command}/{uid}",
            **body,
        }
        self.commands[uid] = {"command": command, "request": request}
        response = await self._data("POST", f"{self.hub_url('commands')}/{command}", json=request)
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
            raise PartyError(f"no pushed {which} to start with (push tokens first)")
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


@asynccontextmanager
async def running_emsp(
    options: PartyOptions, timeline: Timeline, **kwargs: Any
) -> AsyncIterator[SimulatedEmsp]:
    """Serve the EMSP's interfaces on a loopback port; unregisters it from the hub when done."""
    async with running(SimulatedEmsp(options, timeline, **kwargs), emsp_receivers.build_app) as emsp:
        yield emsp
