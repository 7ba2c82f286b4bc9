"""The simulated EMSP's own OCPI interfaces, beside those every simulated party serves
(``receivers.py``): the locations and tariffs receivers, the CommandResult ``response_url`` and the
tokens sender."""

from __future__ import annotations

from typing import Any, Protocol

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from mobie_hub.simulator.receivers import HUB, ReceivingParty, Refused, envelope, json_object
from mobie_hub.simulator.receivers import build_app as build_party_app

# (identifier, role) of every module this EMSP offers in its version details.
MODULES = (
    ("credentials", "RECEIVER"),
    ("locations", "RECEIVER"),
    ("sessions", "RECEIVER"),
    ("cdrs", "RECEIVER"),
    ("tariffs", "RECEIVER"),
    ("hubclientinfo", "RECEIVER"),
    ("tokens", "SENDER"),
    ("commands", "SENDER"),
)


class ReceivingEmsp(ReceivingParty, Protocol):
    """What the EMSP's receivers keep besides a party's (``emsp.SimulatedEmsp``)."""

    tokens: dict[str, dict[str, Any]]
    locations: dict[str, dict[str, Any]]
    commands: dict[str, dict[str, Any]]


def build_app(emsp: ReceivingEmsp) -> FastAPI:
    return build_party_app(emsp, lambda api, base: _emsp_routes(emsp, api, base))


def _emsp_routes(emsp: ReceivingEmsp, api: APIRouter, base: str) -> None:
    @api.put(base + "/locations/{cc}/{pid}/{location_id}")
    async def put_location(location_id: str, request: Request) -> JSONResponse:
        body = await json_object(request)
        emsp.locations[location_id] = body
        emsp.timeline.say(
            HUB,
            emsp.label,
            "location",
            f"PUT Location {location_id}",
            name=body.get("name"),
            evses=len(body.get("evses") or []),
        )
        return envelope()

    @api.api_route(base + "/locations/{cc}/{pid}/{location_id}/{evse_uid}", methods=["PUT", "PATCH"])
    async def evse(location_id: str, evse_uid: str, request: Request) -> JSONResponse:
        body = await json_object(request)
        emsp.timeline.say(
            HUB,
            emsp.label,
            "evse",
            f"{request.method} EVSE {evse_uid}",
            location=location_id,
            status=body.get("status"),
        )
        return envelope()

    @api.api_route(
        base + "/locations/{cc}/{pid}/{location_id}/{evse_uid}/{connector_id}", methods=["PUT", "PATCH"]
    )
    async def connector(evse_uid: str, connector_id: str, request: Request) -> JSONResponse:
        await json_object(request)
        emsp.timeline.say(
            HUB, emsp.label, "connector", f"{request.method} Connector {connector_id}", evse=evse_uid
        )
        return envelope()

    @api.api_route(base + "/tariffs/{cc}/{pid}/{tariff_id}", methods=["PUT", "DELETE"])
    async def tariff(tariff_id: str, request: Request) -> JSONResponse:
        body = await json_object(request) if request.method == "PUT" else {}
        emsp.timeline.say(
            HUB,
            emsp.label,
            "tariff",
            f"{request.method} Tariff {tariff_id}",
            currency=body.get("currency"),
            elements=len(body.get("elements") or []) or None,
        )
        return envelope()

    @api.post(base + "/commands/{command}/{uid}")
    async def command_result(command: str, uid: str, request: Request) -> JSONResponse:
        body = await json_object(request)
        if uid not in emsp.commands:
            raise Refused(2004, "no command of this EMSP has this response_url", 404)
        emsp.commands[uid]["result"] = body
        message = " ".join(m.get("text", "") for m in body.get("message") or [] if isinstance(m, dict))
        emsp.timeline.say(
            HUB,
            emsp.label,
            "command_result",
            f"CommandResult {command}",
            ref=uid,
            result=body.get("result"),
            message=message or None,
        )
        return envelope()

    @api.get(base + "/tokens")
    async def tokens() -> JSONResponse:
        listed = list(emsp.tokens.values())
        emsp.timeline.say(HUB, emsp.label, "tokens_pulled", "GET Tokens (the hub syncs)", count=len(listed))
        return envelope(
            listed, headers={"X-Total-Count": str(len(listed)), "X-Limit": str(max(len(listed), 1))}
        )
