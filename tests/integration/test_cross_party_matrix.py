"""The cross-party matrix (issue #12): every OCPI module the hub exposes to an EMSP x (its own objects,
another EMSP's objects) x (read, write), each allowed or refused with the OCPI status code and HTTP
code the spec gives. One table; one row per cell; PT/EDP is the caller, PT/GLP the other party.

Modules whose objects are the hub's own (locations, tariffs, hubclientinfo, versions) have no
"another party's" cell: every registered EMSP reads them alike, and none may write them (the hub is
their sender: an EMSP write is an unknown method, HTTP 405). The same holds for the sender modules
sessions and cdrs, whose lists hold the caller's objects only. Commands are requests about a token or a
session: another party's is refused in the CommandResponse (profile §11: HTTP 200, OCPI 1000,
REJECTED with the profile's message), as OCPI answers commands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mobie_hub.cdrs import repository as cdrs
from mobie_hub.cdrs.builder import build_cdr
from mobie_hub.commands import runtime as command_runtime
from mobie_hub.commands.config import command_settings
from mobie_hub.core.models import CdrDimension, CdrDimensionType, ChargingPeriod
from mobie_hub.core.types import utcnow
from mobie_hub.local.demo import load_demo_data
from mobie_hub.locations.repository import get_location
from mobie_hub.ocpi.app import create_app
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.ports import TokenRef
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions.models import SessionStatus
from mobie_hub.tokens import repository as tokens
from mobie_hub.tokens.models import Token
from tests.support.parties import Party, issue
from tests.support.tokens import registered_emsp, rfid_token
from tests.unit.commands.fakes import FakeSessions, RecordingWorkflow

STATION, EVSE = "LSB-00175", "LSB-00175-01"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
EDP_CARD, GLP_CARD = "04A1B2C3D4E5F6", "0A0B0C0D"
GLP_BODY = rfid_token(uid=GLP_CARD, party_id="GLP", contract_id="PT-GLP-C-1234ABCD-1")
RESPONSE_URL = "https://emsp.test/ocpi/emsp/2.2.1/commands/abc"
FROM = {"date_from": "2026-01-01T00:00:00Z"}
PATCH = {"valid": False, "last_updated": "2024-05-01T00:00:00Z"}
CREDENTIALS = {
    "token": "edp-token-for-the-hub",
    "url": "https://emsp.test/ocpi/versions",
    "roles": [{"role": "EMSP", "country_code": "PT", "party_id": "EDP", "business_details": {"name": "EDP"}}],
}


@dataclass
class World:
    """What both parties hold: tokens, sessions, CDRs, and active sessions the commands see."""

    edp: Party
    sessions: dict[str, str] = field(default_factory=dict)  # party → session id
    cdrs: dict[str, str] = field(default_factory=dict)  # party → CDR id
    active: dict[str, str] = field(default_factory=dict)  # party → active session id (commands)


def _session_and_cdr(token: TokenRef, minutes: int) -> tuple[str, str]:
    started = T0 + timedelta(minutes=minutes)
    session = sessions.open_pending_session(STATION, EVSE, f"{EVSE}-01", token, None, now=started)
    completed = session.model_copy(update={
        "status": SessionStatus.COMPLETED,
        "end_date_time": started + timedelta(minutes=30),
        "charging_periods": [ChargingPeriod(start_date_time=started, dimensions=[
            CdrDimension(type=CdrDimensionType.ENERGY, volume=Decimal(5)),
            CdrDimension(type=CdrDimensionType.TIME, volume=Decimal("0.5")),
        ])],
    })
    cdr = build_cdr(completed, get_location(STATION), [], cdr_id=session.id, now=started + timedelta(hours=1))
    cdrs.create_cdr(cdr)
    return session.id, cdr.id


@pytest.fixture
def world(aws) -> World:
    load_demo_data()
    registered_emsp("EDP")
    registered_emsp("GLP")
    tokens.put_token(Token.model_validate(rfid_token()))
    tokens.put_token(Token.model_validate(GLP_BODY))
    stations.put_connection(STATION, "conn-1", utcnow())  # online: commands reach the decision on the token
    state = World(issue("C", party_id="EDP"))
    fake = FakeSessions()
    for party, card, minutes in (("EDP", EDP_CARD, 1), ("GLP", GLP_CARD, 2)):
        ref = TokenRef("PT", party, "RFID", card, "x")
        state.sessions[party], state.cdrs[party] = _session_and_cdr(ref, minutes)
        state.active[party] = fake.active(ref, transaction_id=minutes).id
    command_settings.cache_clear()
    command_runtime.use(workflow=RecordingWorkflow(), sessions=fake)
    yield state
    command_runtime.use()
    command_settings.cache_clear()


@dataclass(frozen=True)
class Cell:
    """One request and what the spec says it gets: HTTP code, OCPI status code, then ``check`` on the body."""

    module: str
    whose: str  # own | other | hub (the hub's own objects)
    access: str  # read | write
    request: Callable[[World], tuple[str, str, dict[str, Any]]]  # method, path, httpx options
    http: int
    ocpi: int
    check: Callable[[dict, World], bool] = lambda body, world: True

    @property
    def id(self) -> str:
        return f"{self.module}-{self.whose}-{self.access}"


def ids_in(body: dict) -> set[str]:
    return {item["id"] for item in body.get("data") or []}


def result(expected: str, message: str | None = None) -> Callable[[dict, World], bool]:
    def check(body: dict, world: World) -> bool:
        said = [m["text"] for m in body["data"].get("message", [])]
        return body["data"]["result"] == expected and (message is None or said == [message])
    return check


def start(token: dict) -> dict:
    return {"json": {"response_url": RESPONSE_URL, "token": token, "location_id": STATION, "evse_uid": EVSE,
                     "authorization_reference": "9f6c1b3e-5a5e-4c55-9c1e-2e1f0f5b7a11"}}


def stop(session_id: str) -> dict:
    return {"json": {"response_url": RESPONSE_URL, "session_id": session_id}}


V = "/ocpi/2.2.1"
MATRIX = [
    # tokens: the EMSP's own whitelist; another party's URL is forbidden whatever the method (profile §10)
    Cell("tokens", "own", "read", lambda w: ("GET", f"{V}/tokens/PT/EDP/{EDP_CARD}", {}), 200, 1000,
         lambda body, w: body["data"]["uid"] == EDP_CARD),
    Cell("tokens", "own", "write", lambda w: ("PUT", f"{V}/tokens/PT/EDP/{EDP_CARD}", {"json": rfid_token()}),
         200, 1000),
    Cell("tokens", "other", "read", lambda w: ("GET", f"{V}/tokens/PT/GLP/{GLP_CARD}", {}), 403, 2000),
    Cell("tokens", "other", "write", lambda w: ("PUT", f"{V}/tokens/PT/GLP/{GLP_CARD}", {"json": GLP_BODY}),
         403, 2000),
    Cell("tokens", "other", "write", lambda w: ("PATCH", f"{V}/tokens/PT/GLP/{GLP_CARD}", {"json": PATCH}),
         403, 2000),
    # sessions and cdrs: sender interfaces listing the caller's objects only; no EMSP writes
    Cell("sessions", "own", "read", lambda w: ("GET", f"{V}/sessions", {"params": FROM}), 200, 1000,
         lambda body, w: w.sessions["EDP"] in ids_in(body)),
    Cell("sessions", "other", "read", lambda w: ("GET", f"{V}/sessions", {"params": FROM}), 200, 1000,
         lambda body, w: w.sessions["GLP"] not in ids_in(body)),
    Cell("sessions", "own", "write", lambda w: ("PUT", f"{V}/sessions", {"json": {}}), 405, 2000),
    Cell("cdrs", "own", "read", lambda w: ("GET", f"{V}/cdrs", {}), 200, 1000,
         lambda body, w: w.cdrs["EDP"] in ids_in(body)),
    Cell("cdrs", "other", "read", lambda w: ("GET", f"{V}/cdrs", {}), 200, 1000,
         lambda body, w: w.cdrs["GLP"] not in ids_in(body)),
    Cell("cdrs", "own", "write", lambda w: ("POST", f"{V}/cdrs", {"json": {}}), 405, 2000),
    # commands: about the caller's own token / session, or another's (refused in the CommandResponse)
    Cell("commands", "own", "write", lambda w: ("POST", f"{V}/commands/START_SESSION", start(rfid_token())),
         200, 1000, result("ACCEPTED")),
    Cell("commands", "other", "write", lambda w: ("POST", f"{V}/commands/START_SESSION", start(GLP_BODY)),
         200, 1000, result("REJECTED", "The requested token is invalid.")),
    Cell("commands", "own", "write", lambda w: ("POST", f"{V}/commands/STOP_SESSION", stop(w.active["EDP"])),
         200, 1000, result("ACCEPTED")),
    Cell("commands", "other", "write", lambda w: ("POST", f"{V}/commands/STOP_SESSION", stop(w.active["GLP"])),
         200, 1000,
         result("REJECTED", "The requested session is not owned by the requesting party.")),
    Cell("commands", "own", "read", lambda w: ("GET", f"{V}/commands/START_SESSION", {}), 405, 2000),
    # the hub's own objects: every EMSP reads them; no EMSP writes them
    Cell("locations", "hub", "read", lambda w: ("GET", f"{V}/locations/{STATION}", {}), 200, 1000,
         lambda body, w: body["data"]["id"] == STATION),
    Cell("locations", "hub", "write", lambda w: ("PUT", f"{V}/locations/{STATION}", {"json": {}}), 405, 2000),
    Cell("tariffs", "hub", "read", lambda w: ("GET", f"{V}/tariffs", {}), 200, 1000,
         lambda body, w: len(body["data"]) > 0),
    Cell("tariffs", "hub", "write", lambda w: ("POST", f"{V}/tariffs", {"json": {}}), 405, 2000),
    Cell("hubclientinfo", "hub", "read", lambda w: ("GET", f"{V}/hubclientinfo", {}), 200, 1000,
         lambda body, w: {(c["country_code"], c["party_id"]) for c in body["data"]} >= {("PT", "GLP")}),
    Cell("hubclientinfo", "hub", "write", lambda w: ("PUT", f"{V}/hubclientinfo", {"json": {}}), 405, 2000),
    Cell("versions", "hub", "read", lambda w: ("GET", "/ocpi/versions", {}), 200, 1000),
    Cell("versions", "hub", "read", lambda w: ("GET", f"{V}/details", {}), 200, 1000),
    Cell("versions", "hub", "write", lambda w: ("POST", "/ocpi/versions", {"json": {}}), 405, 2000),
    # credentials: the caller's own registration only (there is no URL for another party's)
    Cell("credentials", "own", "read", lambda w: ("GET", f"{V}/credentials", {}), 200, 1000,
         lambda body, w: body["data"]["token"] == w.edp.token),  # its own registration, nobody else's
    # registered already: POST is not allowed (OCPI credentials §7.2.2: 405); PUT/DELETE act on its own only
    Cell("credentials", "own", "write",
         lambda w: ("POST", f"{V}/credentials", {"json": CREDENTIALS}), 405, 2000),
]


def test_every_module_of_the_emsp_interface_is_in_the_matrix():
    assert {cell.module for cell in MATRIX} == {
        "tokens", "locations", "sessions", "cdrs", "tariffs", "commands",
        "credentials", "hubclientinfo", "versions",
    }


@pytest.mark.parametrize("cell", MATRIX, ids=[f"{i:02d}-{cell.id}" for i, cell in enumerate(MATRIX)])
def test_cross_party_matrix(world: World, cell: Cell):
    method, path, options = cell.request(world)
    client = TestClient(create_app(), raise_server_exceptions=False)

    response = client.request(method, path, headers=world.edp.headers, **options)

    body = response.json()
    assert (response.status_code, body["status_code"]) == (cell.http, cell.ocpi), (cell.id, body)
    assert cell.check(body, world), (cell.id, body)
