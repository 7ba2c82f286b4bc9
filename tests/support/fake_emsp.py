"""A fake EMSP OCPI platform on loopback that registers like a real one, both ways.

As a server it offers versions, version details, credentials (GET/POST/PUT/DELETE, token-checked,
reading the hub's versions back with the hub's token as a real EMSP does) and the hubclientinfo
receiver. As a client it runs the EMSP-initiated handshake against the hub (``register``), updates
(``update``) and unregisters (``unregister``). Knobs make it misbehave: other versions, missing
modules, garbage, errors, lying details.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from tests.support.servers import serve_in_thread

TS = "2026-01-01T00:00:00Z"


def envelope(
    data: Any = None, status_code: int = 1000, message: str = "Success", http: int = 200
) -> JSONResponse:
    body = {"status_code": status_code, "status_message": message, "timestamp": TS}
    if data is not None:
        body["data"] = data
    return JSONResponse(body, status_code=http)


def token_of(header: str | None) -> str:
    value = (header or "").partition(" ")[2].strip()
    try:
        return base64.b64decode(value, validate=True).decode()
    except ValueError:
        return value


@dataclass
class FakeEmsp:
    country_code: str = "PT"
    party_id: str = "EDP"
    party_role: str = "EMSP"  # the role its Credentials name ("CPO" plays a CPO platform)
    versions: tuple[str, ...] = ("2.2", "2.2.1")
    modules: tuple[tuple[str, str], ...] = (
        ("credentials", "RECEIVER"),
        ("locations", "RECEIVER"),
        ("tokens", "SENDER"),
        ("hubclientinfo", "RECEIVER"),
    )
    base_url: str = ""
    # Tokens the hub may use to call this EMSP (token A before registration, then the EMSP's own).
    accepted_tokens: set[str] = field(default_factory=set)
    hub_token: str | None = None  # the token the hub gave this EMSP
    hub_versions_url: str | None = None
    read_back_hub: bool = True  # read the hub's versions with the hub's token while handling POST/PUT
    # Misbehaviour: replace an answer by path suffix ("versions", "details", "credentials") → response.
    override: dict[str, Callable[[], Any]] = field(default_factory=dict)
    details_claims_version: str | None = None  # lie about the version in the details
    received: list[tuple[str, str, Any]] = field(default_factory=list)
    read_back: list[int] = field(default_factory=list)  # HTTP statuses of the hub read-backs

    def issue_token_a(self) -> str:
        token = f"emsp-a-{uuid.uuid4()}"
        self.accepted_tokens = {token}
        return token

    @property
    def versions_url(self) -> str:
        return f"{self.base_url}/ocpi/versions"

    def credentials(self, token: str) -> dict:
        return {"token": token, "url": self.versions_url, "roles": [self.role()]}

    def role(self) -> dict:
        return {
            "role": self.party_role,
            "country_code": self.country_code,
            "party_id": self.party_id,
            "business_details": {"name": f"{self.party_id} Mobility"},
        }

    def new_token_for_hub(self) -> str:
        token = f"emsp-c-{uuid.uuid4()}"
        self.accepted_tokens = {token}
        return token

    # --- as a client of the hub ---------------------------------------------------------------
    def headers(self) -> dict[str, str]:
        return {"Authorization": "Token " + base64.b64encode((self.hub_token or "").encode()).decode()}

    def register(
        self, hub_versions_url: str, token_a: str, version: str = "2.2.1", **httpx_args
    ) -> httpx.Response:
        """EMSP-initiated: read the hub's versions and details with token A, POST credentials."""
        self.hub_token = token_a
        with httpx.Client(headers=self.headers(), timeout=10, **httpx_args) as http:
            versions = http.get(hub_versions_url).json()["data"]
            details_url = next(v["url"] for v in versions if v["version"] == version)
            details = http.get(details_url).json()["data"]
            credentials_url = next(e["url"] for e in details["endpoints"] if e["identifier"] == "credentials")
            response = http.post(credentials_url, json=self.credentials(self.new_token_for_hub()))
        if response.status_code == 200 and response.json()["status_code"] == 1000:
            self.hub_token = response.json()["data"]["token"]
            self.hub_versions_url = hub_versions_url
        return response

    def update(self, credentials_url: str, **httpx_args) -> httpx.Response:
        with httpx.Client(headers=self.headers(), timeout=10, **httpx_args) as http:
            response = http.put(credentials_url, json=self.credentials(self.new_token_for_hub()))
        if response.status_code == 200 and response.json()["status_code"] == 1000:
            self.hub_token = response.json()["data"]["token"]
        return response

    # --- as a server --------------------------------------------------------------------------
    def app(self) -> FastAPI:
        app = FastAPI()

        def authorised(request: Request) -> bool:
            return token_of(request.headers.get("authorization")) in self.accepted_tokens

        def refuse() -> JSONResponse:
            return envelope(status_code=2000, message="Unauthorized", http=401)

        @app.get("/ocpi/versions")
        def versions(request: Request):
            self.received.append(("GET", "versions", dict(request.headers)))
            if "versions" in self.override:
                return self.override["versions"]()
            if not authorised(request):
                return refuse()
            return envelope([{"version": v, "url": f"{self.base_url}/ocpi/emsp/{v}"} for v in self.versions])

        @app.get("/ocpi/emsp/{version}")
        def details(version: str, request: Request):
            self.received.append(("GET", "details", dict(request.headers)))
            if "details" in self.override:
                return self.override["details"]()
            if not authorised(request):
                return refuse()
            endpoints = [
                {"identifier": m, "role": r, "url": f"{self.base_url}/ocpi/emsp/{version}/{m}"}
                for m, r in self.modules
            ]
            return envelope({"version": self.details_claims_version or version, "endpoints": endpoints})

        @app.api_route("/ocpi/emsp/{version}/credentials", methods=["GET", "POST", "PUT", "DELETE"])
        async def credentials(version: str, request: Request):
            body = await request.json() if request.method in {"POST", "PUT"} else None
            self.received.append((request.method, "credentials", body))
            if "credentials" in self.override:
                return self.override["credentials"]()
            if not authorised(request):
                return refuse()
            if request.method == "DELETE":
                self.hub_token = None
                self.accepted_tokens = set()
                return envelope()
            if request.method == "GET":
                return envelope(self.credentials(next(iter(self.accepted_tokens))))
            self.hub_token, self.hub_versions_url = body["token"], body["url"]
            if self.read_back_hub:  # a real EMSP reads the hub's versions with the new token
                async with httpx.AsyncClient(headers=self.headers(), timeout=10) as http:
                    self.read_back.append((await http.get(self.hub_versions_url)).status_code)
            return envelope(self.credentials(self.new_token_for_hub()))

        @app.put("/ocpi/emsp/{version}/hubclientinfo/{country_code}/{party_id}")
        async def client_info(version: str, country_code: str, party_id: str, request: Request):
            if not authorised(request):
                return refuse()
            self.received.append(("PUT", f"hubclientinfo/{country_code}/{party_id}", await request.json()))
            return envelope()

        return app

    def client_infos(self) -> list[dict]:
        return [body for method, what, body in self.received if what.startswith("hubclientinfo/")]


def garbage() -> PlainTextResponse:
    return PlainTextResponse("<html>Service Unavailable</html>", status_code=200)


@contextmanager
def running_emsp(**fields: Any) -> Iterator[FakeEmsp]:
    emsp = FakeEmsp(**fields)
    with serve_in_thread(emsp.app()) as base_url:
        emsp.base_url = base_url
        yield emsp
