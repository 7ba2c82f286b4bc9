"""A simulated party as a server: the OCPI interfaces every simulated party serves to the hub
(versions and details, credentials, the sessions and cdrs receivers, hubclientinfo); a role adds its
own (``emsp_receivers.py``). Each call is checked for the token the party gave the hub, answered in
the OCPI envelope, kept, and told on the timeline in one line."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from mobie_hub.simulator.timeline import Timeline

HUB = "hub"


class ReceivingParty(Protocol):
    """What the receivers keep and ask of the party they serve (``party.SimulatedParty``)."""

    role: str  # EMSP, CPO
    label: str
    version: str
    base_url: str
    timeline: Timeline
    modules: tuple[tuple[str, str], ...]  # (identifier, role) offered in its version details
    tokens_for_hub: list[str]  # the newest last
    hub_token: str | None
    sessions: dict[str, dict[str, Any]]
    cdrs: dict[str, dict[str, Any]]

    def credentials(self, token: str) -> dict[str, Any]: ...

    def new_token_for_hub(self) -> str: ...

    def forget_registration(self) -> None: ...


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


def billing_lines(cdr: dict[str, Any]) -> list[str]:
    """``TYPE amount_excl_vat`` of each ``mobie_cdr_extension`` line of a CDR."""
    lines = ((cdr.get("mobie_cdr_extension") or {}).get("lines")) or []
    return [f"{line.get('type')} {line.get('amount_excl_vat')}" for line in lines]


def build_app(party: ReceivingParty, add_routes: Callable[[APIRouter, str], None] | None = None) -> FastAPI:
    """The party's app: the common interfaces, and ``add_routes(router, base)`` for its role's own
    (on the same router, so behind the same token check)."""
    app = FastAPI(title=f"simulated {party.label}", openapi_url=None, docs_url=None, redoc_url=None)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> JSONResponse:
        party.timeline.say(
            party.label,
            HUB,
            "refused",
            f"refused {request.method} {request.url.path}",
            status_code=exc.status_code,
            reason=exc.message,
        )
        return envelope(status_code=exc.status_code, message=exc.message, http=exc.http)

    def authorised(request: Request) -> None:
        if token_of(request.headers.get("authorization")) not in party.tokens_for_hub:
            raise Refused(2000, "unknown token", 401)

    base = f"/ocpi/{party.role.lower()}/{party.version}"
    api = APIRouter(dependencies=[Depends(authorised)])

    @api.get("/ocpi/versions")
    async def versions() -> JSONResponse:
        return envelope([{"version": party.version, "url": f"{party.base_url}{base}"}])

    @api.get(base)
    async def details() -> JSONResponse:
        endpoints = [
            {"identifier": m, "role": r, "url": f"{party.base_url}{base}/{m}"} for m, r in party.modules
        ]
        return envelope({"version": party.version, "endpoints": endpoints})

    @api.get(f"{base}/credentials")
    async def get_credentials() -> JSONResponse:
        return envelope(party.credentials(party.tokens_for_hub[-1]))

    @api.put(f"{base}/credentials")
    async def renewed(request: Request) -> JSONResponse:
        body = await json_object(request)
        if not isinstance(body.get("token"), str):
            raise Refused(2001, "token: missing", 400)
        party.hub_token = body["token"]
        party.timeline.say(HUB, party.label, "credentials", "PUT Credentials (renewal): new tokens both ways")
        return envelope(party.credentials(party.new_token_for_hub()))

    @api.delete(f"{base}/credentials")
    async def unregistered() -> JSONResponse:
        party.forget_registration()
        party.timeline.say(HUB, party.label, "credentials", "DELETE Credentials: unregistered by the hub")
        return envelope()

    @api.api_route(base + "/sessions/{cc}/{pid}/{session_id}", methods=["PUT", "PATCH"])
    async def session(cc: str, pid: str, session_id: str, request: Request) -> JSONResponse:
        body = await json_object(request)
        if request.method == "PUT" and body.get("id") != session_id:
            raise Refused(2001, "id: not the session id of the URL", 400)
        merged = {**party.sessions.get(session_id, {}), **body}
        party.sessions[session_id] = merged
        party.timeline.say(
            HUB,
            party.label,
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
        party.cdrs[body["id"]] = body
        party.timeline.say(
            HUB,
            party.label,
            "cdr",
            f"POST CDR {body['id']}",
            ref=body["id"],
            session=body.get("session_id"),
            kwh=body.get("total_energy"),
            cost_incl_vat=cost(body.get("total_cost")),
            tariffs=[t.get("id") for t in body.get("tariffs") or [] if isinstance(t, dict)] or None,
            lines=billing_lines(body),
        )
        return envelope(headers={"Location": f"{party.base_url}{base}/cdrs/{body['id']}"})

    @api.get(base + "/cdrs/{cdr_id}")
    async def get_cdr(cdr_id: str) -> JSONResponse:
        if cdr_id not in party.cdrs:
            raise Refused(2004, "unknown CDR", 404)
        return envelope(party.cdrs[cdr_id])

    @api.put(base + "/hubclientinfo/{cc}/{pid}")
    async def client_info(cc: str, pid: str, request: Request) -> JSONResponse:
        body = await json_object(request)
        party.timeline.say(
            HUB,
            party.label,
            "hubclientinfo",
            f"PUT HubClientInfo {cc}/{pid}",
            role=body.get("role"),
            status=body.get("status"),
        )
        return envelope()

    if add_routes is not None:
        add_routes(api, base)
    app.include_router(api)
    return app
