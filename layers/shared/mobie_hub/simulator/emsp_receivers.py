"""The simulated EMSP as a server: the OCPI interfaces the hub calls (versions and details,
credentials, the locations, sessions, cdrs and tariffs receivers, hubclientinfo, the CommandResult
``response_url`` and the tokens sender). Each call is checked for the token the EMSP gave the hub,
answered in the OCPI envelope, kept, and told on the timeline in one line."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any, Protocol

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from mobie_hub.simulator.timeline import Timeline


class ReceivingEmsp(Protocol):
    """What the receivers keep and ask of the EMSP they serve (``emsp.SimulatedEmsp``)."""

    label: str
    version: str
    base_url: str
    timeline: Timeline
    tokens_for_hub: list[str]  # the newest last
    hub_token: str | None
    tokens: dict[str, dict[str, Any]]
    locations: dict[str, dict[str, Any]]
    sessions: dict[str, dict[str, Any]]
    cdrs: dict[str, dict[str, Any]]
    commands: dict[str, dict[str, Any]]

    def credentials(self, token: str) -> dict[str, Any]: ...

    def new_token_for_hub(self) -> str: ...

    def forget_registration(self) -> None: ...


HUB = "hub"
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


class Refused(Exception):
    def __init__(self, status_code: int, message: str, http: int) -> None:
        super().__init__(message)
        self.status_code, self.message, self.http = status_code, message, http


def envelope(
    data: Any = None,
    status_code: int = 1000,
    message: str = "Success",
    http: int = 200,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "status_code": status_code,
        "status_message": message,
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if data is not None:
        body["data"] = data
    return JSONResponse(body, status_code=http, headers=headers)


def token_of(header: str | None) -> str:
    """The token of ``Authorization: Token <base64>`` (OCPI 2.2.1), a plain token accepted too."""
    value = (header or "").partition(" ")[2].strip()
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return value


async def json_object(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise Refused(2001, "the body is not JSON", 400) from None
    if not isinstance(body, dict):
        raise Refused(2001, "the body must be a JSON object", 400)
    return body


def cost(price: Any) -> float | None:
    return price.get("incl_vat", price.get("excl_vat")) if isinstance(price, dict) else None


def build_app(emsp: ReceivingEmsp) -> FastAPI:
    app = FastAPI(title=f"simulated EMSP {emsp.label}", openapi_url=None, docs_url=None, redoc_url=None)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> JSONResponse:
        emsp.timeline.say(
            emsp.label,
            HUB,
            "refused",
            f"refused {request.method} {request.url.path}",
            status_code=exc.status_code,
            reason=exc.message,
        )
        return envelope(status_code=exc.status_code, message=exc.message, http=exc.http)

    def authorised(request: Request) -> None:
        if token_of(request.headers.get("authorization")) not in emsp.tokens_for_hub:
            raise Refused(2000, "unknown token", 401)

    base = f"/ocpi/emsp/{emsp.version}"
    api = APIRouter(dependencies=[Depends(authorised)])

    @api.get("/ocpi/versions")
    async def versions() -> JSONResponse:
        return envelope([{"version": emsp.version, "url": f"{emsp.base_url}{base}"}])

    @api.get(base)
    async def details() -> JSONResponse:
        endpoints = [{"identifier": m, "role": r, "url": f"{emsp.base_url}{base}/{m}"} for m, r in MODULES]
        return envelope({"version": emsp.version, "endpoints": endpoints})

    @api.get(f"{base}/credentials")
    async def get_credentials() -> JSONResponse:
        return envelope(emsp.credentials(emsp.tokens_for_hub[-1]))

    @api.put(f"{base}/credentials")
    async def renewed(request: Request) -> JSONResponse:
        body = await json_object(request)
        if not isinstance(body.get("token"), str):
            raise Refused(2001, "token: missing", 400)
        emsp.hub_token = body["token"]
        emsp.timeline.say(HUB, emsp.label, "credentials", "PUT Credentials (renewal): new tokens both ways")
        return envelope(emsp.credentials(emsp.new_token_for_hub()))

    @api.delete(f"{base}/credentials")
    async def unregistered() -> JSONResponse:
        emsp.forget_registration()
        emsp.timeline.say(HUB, emsp.label, "credentials", "DELETE Credentials: unregistered by the hub")
        return envelope()

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

    @api.api_route(base + "/sessions/{cc}/{pid}/{session_id}", methods=["PUT", "PATCH"])
    async def session(cc: str, pid: str, session_id: str, request: Request) -> JSONResponse:
        body = await json_object(request)
        if request.method == "PUT" and body.get("id") != session_id:
            raise Refused(2001, "id: not the session id of the URL", 400)
        merged = {**emsp.sessions.get(session_id, {}), **body}
        emsp.sessions[session_id] = merged
        emsp.timeline.say(
            HUB,
            emsp.label,
            "session",
            f"{request.method} Session {session_id}",
            ref=session_id,
            status=body.get("status"),
            kwh=body.get("kwh"),
            cost_incl_vat=cost(body.get("total_cost")),
            evse=body.get("evse_uid"),
            token=(body.get("cdr_token") or {}).get("uid"),
            command=body.get("authorization_reference"),
        )
        return envelope()

    @api.post(base + "/cdrs")
    @api.post(base + "/cdrs/")
    async def cdr(request: Request) -> JSONResponse:
        body = await json_object(request)
        if not isinstance(body.get("id"), str) or not body["id"]:
            raise Refused(2001, "id: missing", 400)
        emsp.cdrs[body["id"]] = body
        lines = ((body.get("mobie_cdr_extension") or {}).get("lines")) or []
        emsp.timeline.say(
            HUB,
            emsp.label,
            "cdr",
            f"POST CDR {body['id']}",
            ref=body["id"],
            session=body.get("session_id"),
            kwh=body.get("total_energy"),
            cost_incl_vat=cost(body.get("total_cost")),
            lines=[f"{line.get('type')} {line.get('amount_excl_vat')}" for line in lines],
        )
        return envelope(headers={"Location": f"{emsp.base_url}{base}/cdrs/{body['id']}"})

    @api.get(base + "/cdrs/{cdr_id}")
    async def get_cdr(cdr_id: str) -> JSONResponse:
        if cdr_id not in emsp.cdrs:
            raise Refused(2004, "unknown CDR", 404)
        return envelope(emsp.cdrs[cdr_id])

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

    @api.put(base + "/hubclientinfo/{cc}/{pid}")
    async def client_info(cc: str, pid: str, request: Request) -> JSONResponse:
        body = await json_object(request)
        emsp.timeline.say(
            HUB,
            emsp.label,
            "hubclientinfo",
            f"PUT HubClientInfo {cc}/{pid}",
            role=body.get("role"),
            status=body.get("status"),
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

    app.include_router(api)
    return app
