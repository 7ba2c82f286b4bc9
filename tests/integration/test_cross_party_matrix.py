"""The cross-party matrix (issue #12): every OCPI module the hub exposes to an EMSP x (its own objects,
another EMSP's objects) x (read, write), each allowed or refused with the OCPI status code and HTTP
code the spec gives. One table; one row per cell; PT/EDP is the caller, PT/GLP the other party.

Modules whose objects are the hub's own (locations, tariffs, hubclientinfo, versions) have no
"another party's" cell: every registered EMSP reads them alike, and none may write them (the hub is
their sender: an EMSP write is an unknown method, HTTP 405). The same holds for the sender modules
sessions and cdrs, whose lists hold the caller's objects only. Commands are requests about a token or a
session: another party's is refused in the CommandResponse (profile §11: HTTP 200, OCPI 1000,
REJECTED with the profile's message), as OCPI answers commands.

Issue #16 adds the CPO callers: PT/GLP as a CPO (a second registration of the platform that is also
the EMSP PT/GLP) operating PRT-00107 and LSB-00421, and PT/IBD, another CPO. Each module is tried by
the CPO on its own objects (its tariffs; the sessions and CDRs of its stations), on another CPO's and
on an EMSP's (tokens, commands, the EMSPs' tariffs list, sessions of an EMSP's token on the hub's own
station), reading and writing; the EMSP also tries the CPOs' tariffs receiver. A module or interface
the caller's role is not offered is HTTP 403 with OCPI 2000 (``ocpi.auth``, docs/credentials.md), as
is a CPO's tariffs URL under another party (``core.ownership``); a method a route does not have is
HTTP 405.
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
from mobie_hub.core.modules import MODULES
from mobie_hub.core.types import utcnow
from mobie_hub.local.demo import load_demo_data
from mobie_hub.locations.registry import import_tariffs
from mobie_hub.locations.repository import get_location
from mobie_hub.ocpi.app import create_app
from mobie_hub.ocpp import connection_repository
from mobie_hub.ocpp.ports import TokenRef
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions.models import SessionStatus
from mobie_hub.tariffs.registry_repository import DynamoTariffStore
from mobie_hub.tokens import repository as tokens
from mobie_hub.tokens.models import Token
from tests.support.parties import Party, issue
from tests.support.stations import tariff
from tests.support.tokens import registered_emsp, rfid_token
from tests.unit.commands.fakes import FakeSessions, RecordingWorkflow

STATION, EVSE = "LSB-00175", "LSB-00175-01"
GLP_STATION, GLP_EVSE = "PRT-00107", "PRT-00107-01"  # operated by the CPO PT/GLP (demo data)
IBD_STATION, IBD_EVSE = "LSB-01033", "LSB-01033-01"  # a session here snapshots the CPO PT/IBD
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
    glp_cpo: Party  # the CPO PT/GLP's token (the platform's EMSP registration has another)
    sessions: dict[str, str] = field(default_factory=dict)  # party → session id (CPO@…: at a CPO's station)
    cdrs: dict[str, str] = field(default_factory=dict)  # party → CDR id
    active: dict[str, str] = field(default_factory=dict)  # party → active session id (commands)


def _session_and_cdr(token: TokenRef, minutes: int, station: str = STATION, evse: str = EVSE,
                     cpo: tuple[str, str] | None = None) -> tuple[str, str]:
    started = T0 + timedelta(minutes=minutes)
    session = sessions.open_pending_session(station, evse, f"{evse}-01", token, None, now=started, operator=cpo)
    completed = session.model_copy(update={
        "status": SessionStatus.COMPLETED,
        "end_date_time": started + timedelta(minutes=30),
        "charging_periods": [ChargingPeriod(start_date_time=started, dimensions=[
            CdrDimension(type=CdrDimensionType.ENERGY, volume=Decimal(5)),
            CdrDimension(type=CdrDimensionType.TIME, volume=Decimal("0.5")),
        ])],
    })
    cdr = build_cdr(completed, get_location(station), [], cdr_id=session.id, now=started + timedelta(hours=1))
    cdrs.create_cdr(cdr, cpo)
    return session.id, cdr.id


@pytest.fixture
def world(aws) -> World:
    load_demo_data()
    registered_emsp("EDP")
    registered_emsp("GLP")
    tokens.put_token(Token.model_validate(rfid_token()))
    tokens.put_token(Token.model_validate(GLP_BODY))
    connection_repository.put_connection(STATION, "conn-1", utcnow())  # online: commands reach the decision on the token
    import_tariffs([tariff("IBD-AC", party_id="IBD")], DynamoTariffStore())  # another CPO's tariff
    state = World(issue("C", party_id="EDP"), issue("C", party_id="GLP", role="CPO"))
    fake = FakeSessions()
    for party, card, minutes in (("EDP", EDP_CARD, 1), ("GLP", GLP_CARD, 2)):
        ref = TokenRef("PT", party, "RFID", card, "x")
        state.sessions[party], state.cdrs[party] = _session_and_cdr(ref, minutes)
        state.active[party] = fake.active(ref, transaction_id=minutes).id
    edp_card = TokenRef("PT", "EDP", "RFID", EDP_CARD, "x")  # EDP's driver at the two CPOs' stations
    for cpo, station, evse, minutes in (("GLP", GLP_STATION, GLP_EVSE, 3), ("IBD", IBD_STATION, IBD_EVSE, 4)):
        state.sessions[f"CPO@{cpo}"], state.cdrs[f"CPO@{cpo}"] = _session_and_cdr(
            edp_card, minutes, station, evse, ("PT", cpo))
    command_settings.cache_clear()
    command_runtime.use(workflow=RecordingWorkflow(), sessions=fake)
    yield state
    command_runtime.use()
    command_settings.cache_clear()


@dataclass(frozen=True)
class Cell:
    """One request and what the spec says it gets: HTTP code, OCPI status code, then ``check`` on the body."""

    module: str
    whose: str  # own | other (another party of the caller's role) | cpo | emsp | hub (the hub's own objects)
    access: str  # read | write
    request: Callable[[World], tuple[str, str, dict[str, Any]]]  # method, path, httpx options
    http: int
    ocpi: int
    check: Callable[[dict, World], bool] = lambda body, world: True
    caller: str = "EMSP"  # EMSP: PT/EDP; CPO: PT/GLP

    @property
    def id(self) -> str:
        return f"{self.caller}-{self.module}-{self.whose}-{self.access}"


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


GLP_TARIFF = "GLP-DC-ULTRA"  # PRT-00107's connectors reference it
PATCH_TARIFF = {"json": {"tariff_alt_text": [{"language": "pt", "text": "Carregamento ultra"}],
                         "last_updated": "2026-11-23T09:00:00Z"}}


def new_tariff(party_id: str, tariff_id: str = GLP_TARIFF) -> dict:
    return {"json": tariff(tariff_id, party_id=party_id, price=0.5)}


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
    # issue #16: a session of the EMSP's token at a CPO's station is the EMSP's too
    Cell("sessions", "cpo", "read", lambda w: ("GET", f"{V}/sessions", {"params": FROM}), 200, 1000,
         lambda body, w: w.sessions["CPO@GLP"] in ids_in(body)),
    Cell("cdrs", "cpo", "read", lambda w: ("GET", f"{V}/cdrs", {}), 200, 1000,
         lambda body, w: w.cdrs["CPO@GLP"] in ids_in(body)),
    # the CPOs' tariffs receiver is not an EMSP's interface (it reads tariffs through the sender's list)
    Cell("tariffs", "cpo", "read", lambda w: ("GET", f"{V}/tariffs/PT/GLP/{GLP_TARIFF}", {}), 403, 2000),
    Cell("tariffs", "cpo", "write", lambda w: ("PUT", f"{V}/tariffs/PT/GLP/{GLP_TARIFF}", new_tariff("GLP")),
         403, 2000),
    Cell("tariffs", "own", "write", lambda w: ("PUT", f"{V}/tariffs/PT/EDP/EDP-1", new_tariff("EDP", "EDP-1")),
         403, 2000),
]


def cpo(module: str, whose: str, access: str, request, http: int, ocpi: int, check=None) -> Cell:
    return Cell(module, whose, access, request, http, ocpi, check or (lambda body, w: True), caller="CPO")


NOT_OFFERED = "is not offered to CPO parties"


def refused_as_not_offered(body: dict, world: World) -> bool:
    return NOT_OFFERED in body["status_message"]


CPO_MATRIX = [
    # tariffs: its own at the receiver; another CPO's, the hub's and the EMSPs' list refused
    cpo("tariffs", "own", "read", lambda w: ("GET", f"{V}/tariffs/PT/GLP/{GLP_TARIFF}", {}), 200, 1000,
        lambda body, w: body["data"]["id"] == GLP_TARIFF),
    cpo("tariffs", "own", "write", lambda w: ("PUT", f"{V}/tariffs/PT/GLP/GLP-NEW", new_tariff("GLP", "GLP-NEW")),
        201, 1000),
    cpo("tariffs", "own", "write", lambda w: ("PATCH", f"{V}/tariffs/PT/GLP/{GLP_TARIFF}", PATCH_TARIFF), 200, 1000),
    cpo("tariffs", "own", "write", lambda w: ("DELETE", f"{V}/tariffs/PT/GLP/{GLP_TARIFF}", {}), 409, 2000),  # in use
    cpo("tariffs", "cpo", "read", lambda w: ("GET", f"{V}/tariffs/PT/IBD/IBD-AC", {}), 403, 2000),
    cpo("tariffs", "cpo", "write", lambda w: ("PUT", f"{V}/tariffs/PT/IBD/IBD-AC", new_tariff("IBD", "IBD-AC")),
        403, 2000),
    cpo("tariffs", "cpo", "write", lambda w: ("DELETE", f"{V}/tariffs/PT/IBD/IBD-AC", {}), 403, 2000),
    cpo("tariffs", "hub", "write",
        lambda w: ("PUT", f"{V}/tariffs/PT/MOB/MOB-AC-NORMAL", new_tariff("MOB", "MOB-AC-NORMAL")), 403, 2000),
    cpo("tariffs", "emsp", "read", lambda w: ("GET", f"{V}/tariffs", {}), 403, 2000, refused_as_not_offered),
    # sessions and cdrs: the sessions of its stations only (by the CPO each session recorded)
    cpo("sessions", "own", "read", lambda w: ("GET", f"{V}/sessions", {"params": FROM}), 200, 1000,
        lambda body, w: ids_in(body) == {w.sessions["CPO@GLP"]}),
    cpo("sessions", "cpo", "read", lambda w: ("GET", f"{V}/sessions", {"params": FROM}), 200, 1000,
        lambda body, w: w.sessions["CPO@IBD"] not in ids_in(body)),
    cpo("sessions", "emsp", "read", lambda w: ("GET", f"{V}/sessions", {"params": FROM}), 200, 1000,
        # neither EDP's nor the EMSP PT/GLP's (the same platform's other registration) at the hub's station
        lambda body, w: not {w.sessions["EDP"], w.sessions["GLP"]} & ids_in(body)),
    cpo("sessions", "own", "write", lambda w: ("PUT", f"{V}/sessions", {"json": {}}), 405, 2000),
    cpo("cdrs", "own", "read", lambda w: ("GET", f"{V}/cdrs", {}), 200, 1000,
        lambda body, w: ids_in(body) == {w.cdrs["CPO@GLP"]}),
    cpo("cdrs", "cpo", "read", lambda w: ("GET", f"{V}/cdrs", {}), 200, 1000,
        lambda body, w: w.cdrs["CPO@IBD"] not in ids_in(body)),
    cpo("cdrs", "emsp", "read", lambda w: ("GET", f"{V}/cdrs", {}), 200, 1000,
        lambda body, w: not {w.cdrs["EDP"], w.cdrs["GLP"]} & ids_in(body)),
    cpo("cdrs", "own", "write", lambda w: ("POST", f"{V}/cdrs", {"json": {}}), 405, 2000),
    # locations: read, its stations and the others alike; no writes (the hub's registry owns them)
    cpo("locations", "own", "read", lambda w: ("GET", f"{V}/locations/{GLP_STATION}", {}), 200, 1000,
        lambda body, w: body["data"]["party_id"] == "GLP"),
    cpo("locations", "hub", "read", lambda w: ("GET", f"{V}/locations/{STATION}", {}), 200, 1000),
    cpo("locations", "own", "write", lambda w: ("PUT", f"{V}/locations/{GLP_STATION}", {"json": {}}), 405, 2000),
    # tokens and commands are the EMSPs' modules
    cpo("tokens", "emsp", "read", lambda w: ("GET", f"{V}/tokens/PT/EDP/{EDP_CARD}", {}), 403, 2000,
        refused_as_not_offered),
    cpo("tokens", "own", "write", lambda w: ("PUT", f"{V}/tokens/PT/GLP/{GLP_CARD}", {"json": GLP_BODY}), 403, 2000,
        refused_as_not_offered),
    cpo("commands", "emsp", "write", lambda w: ("POST", f"{V}/commands/START_SESSION", start(rfid_token())),
        403, 2000, refused_as_not_offered),
    cpo("commands", "own", "write", lambda w: ("POST", f"{V}/commands/STOP_SESSION", stop(w.sessions["CPO@GLP"])),
        403, 2000, refused_as_not_offered),
    cpo("commands", "emsp", "read", lambda w: ("GET", f"{V}/commands/START_SESSION", {}), 405, 2000),  # no such route
    # the hub's objects
    cpo("hubclientinfo", "hub", "read", lambda w: ("GET", f"{V}/hubclientinfo", {}), 200, 1000),
    cpo("hubclientinfo", "hub", "write", lambda w: ("PUT", f"{V}/hubclientinfo", {"json": {}}), 405, 2000),
    cpo("versions", "hub", "read", lambda w: ("GET", f"{V}/details", {}), 200, 1000,
        lambda body, w: {(e["identifier"], e["role"]) for e in body["data"]["endpoints"]} >= {("tariffs", "RECEIVER")}
        and not {e["identifier"] for e in body["data"]["endpoints"]} & {"tokens", "commands"}),
    cpo("versions", "hub", "write", lambda w: ("POST", "/ocpi/versions", {"json": {}}), 405, 2000),
    # credentials: its own registration (the CPO token's), never the EMSP registration's
    cpo("credentials", "own", "read", lambda w: ("GET", f"{V}/credentials", {}), 200, 1000,
        lambda body, w: body["data"]["token"] == w.glp_cpo.token),
    cpo("credentials", "own", "write", lambda w: ("POST", f"{V}/credentials", {"json": CREDENTIALS}), 405, 2000),
]
ALL_CELLS = MATRIX + CPO_MATRIX


def test_every_module_is_in_the_matrix_for_both_callers_reading_and_writing():
    modules = {m.identifier for m in MODULES}
    for caller in ("EMSP", "CPO"):
        cells = [cell for cell in ALL_CELLS if cell.caller == caller]
        assert {cell.module for cell in cells} == modules, caller
        for module in modules:
            assert {c.access for c in cells if c.module == module} == {"read", "write"}, (caller, module)
    # and for the CPO every module that holds parties' objects is tried on its own, another CPO's or an EMSP's
    tried = {(c.module, c.whose) for c in CPO_MATRIX}
    assert {("tariffs", w) for w in ("own", "cpo", "emsp")} <= tried
    assert {(m, w) for m in ("sessions", "cdrs") for w in ("own", "cpo", "emsp")} <= tried


@pytest.mark.parametrize("cell", ALL_CELLS, ids=[f"{i:02d}-{cell.id}" for i, cell in enumerate(ALL_CELLS)])
def test_cross_party_matrix(world: World, cell: Cell):
    method, path, options = cell.request(world)
    client = TestClient(create_app(), raise_server_exceptions=False)
    caller = world.edp if cell.caller == "EMSP" else world.glp_cpo

    response = client.request(method, path, headers=caller.headers, **options)

    body = response.json()
    assert (response.status_code, body["status_code"]) == (cell.http, cell.ocpi), (cell.id, body)
    assert cell.check(body, world), (cell.id, body)
