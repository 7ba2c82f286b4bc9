"""One event per recipient (issue #16, contract §4): a session or CDR change is an event for the
token's EMSP and, on a CPO's station, the same event for that CPO; ``detail.owner`` names the
recipient and its role, and the push path resolves the party key from it. No I/O."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from mobie_hub.cdrs.models import MobieCdr
from mobie_hub.events.cdrs import cdr_events
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.fanout import _addressed, owner_key
from mobie_hub.events.push_routes import Route
from mobie_hub.events.sessions import SESSION_COMPLETED, SESSION_STARTED, bills, session_events
from mobie_hub.events.stream import events_from_records
from mobie_hub.parties.models import ConnectionStatus
from mobie_hub.parties.party import Party, Registration
from mobie_hub.sessions.lifecycle import cpo_of
from mobie_hub.sessions.models import SessionStatus
from tests.unit.sessions.test_lifecycle import T0, opened

START = opened().session
EXTENSIONS = Path(__file__).resolve().parents[3] / "docs" / "mobie-extensions.md"  # its CDR example
EDP = {"country_code": "PT", "party_id": "EDP", "role": "EMSP"}
GLP = {"country_code": "PT", "party_id": "GLP", "role": "CPO"}


def at(seconds: float, **changes):
    return START.model_copy(update={"last_updated": T0 + timedelta(seconds=seconds), **changes})


def test_a_session_on_a_cpos_station_is_one_event_for_the_emsp_and_one_for_the_cpo():
    started = session_events(None, at(0), "PT#EDP", "PT#GLP")
    assert [(e.event_name, e.detail["owner"]) for e in started] == [(SESSION_STARTED, EDP), (SESSION_STARTED, GLP)]
    assert started[0].detail["session"] == started[1].detail["session"]
    completed = session_events(at(0), at(60, status=SessionStatus.COMPLETED), "PT#EDP", "PT#GLP", interval=300)
    assert [(e.event_name, e.detail["owner"]["role"]) for e in completed] == [
        (SESSION_COMPLETED, "EMSP"), (SESSION_COMPLETED, "CPO"),
    ]
    assert completed[0].detail["patch"] == completed[1].detail["patch"]


def test_coalescing_holds_back_both_recipients_events_alike():
    assert session_events(at(60, kwh=Decimal(1)), at(120, kwh=Decimal(2)), "PT#EDP", "PT#GLP", interval=300) == []
    assert len(session_events(at(240, kwh=Decimal(4)), at(300, kwh=Decimal(5)), "PT#EDP", "PT#GLP", interval=300)) == 2


def test_no_cpo_means_the_emsp_alone_and_no_owner_means_nobody():
    assert [e.detail["owner"] for e in session_events(None, at(0), "PT#EDP", None)] == [EDP]
    assert session_events(None, at(0), None, "PT#GLP") == []


def test_the_stream_reads_the_cpo_from_the_session_and_cdr_items():
    from mobie_hub.core import documents

    item = {"pk": {"S": "SESSION#S1"}, "doc": {"S": documents.encode(at(0))}, "owner": {"S": "PT#EDP"},
            "cpo": {"S": "PT#GLP"}}
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": item}}
    assert [e.detail["owner"] for e in events_from_records([record])] == [EDP, GLP]


def test_a_cdr_is_one_event_per_recipient():
    blocks = re.findall(r"```json\n(.*?)```", EXTENSIONS.read_text(encoding="utf-8"), re.DOTALL)
    cdr = MobieCdr.model_validate(next(json.loads(b) for b in blocks if '"cdr_token"' in b))
    emsp = {"country_code": cdr.cdr_token.country_code, "party_id": cdr.cdr_token.party_id, "role": "EMSP"}
    events = cdr_events(None, cdr, "PT#GLP")
    assert [(e.event_name, e.detail["owner"]) for e in events] == [("CdrCreated", emsp), ("CdrCreated", GLP)]
    assert events[0].detail["cdr"] == events[1].detail["cdr"]
    assert [e.detail["owner"] for e in cdr_events(None, cdr)] == [emsp]
    assert cdr_events(cdr, cdr, "PT#GLP") == []  # a CDR never changes: a later write is no new CDR


def test_owner_key_names_the_party_by_role_and_an_event_without_a_role_is_the_emsps():
    def key(owner):
        return owner_key(DomainEvent.of(SESSION_STARTED, {"owner": owner}))

    assert key(EDP) == "PARTY#EMSP#PT#EDP"
    assert key(GLP) == "PARTY#CPO#PT#GLP"
    assert key({"country_code": "pt", "party_id": "edp"}) == "PARTY#EMSP#PT#EDP"  # from before issue #16
    assert key({"country_code": "PT", "party_id": "EDP", "role": "ROOT"}) is None
    assert key({}) is None


def party(role: str, party_id: str) -> Party:
    return Party(role=role, country_code="PT", party_id=party_id, registration=Registration.REGISTERED,
                 connection_status=ConnectionStatus.CONNECTED)


def test_an_owner_event_is_addressed_to_the_party_of_that_role_only():
    event = DomainEvent.of(SESSION_STARTED, {"owner": GLP})
    route = Route("sessions", lambda *_: None, to_owner=True)
    assert _addressed(route, event, party("CPO", "GLP"))
    assert not _addressed(route, event, party("EMSP", "GLP"))  # same ids, other registration
    assert not _addressed(route, event, party("CPO", "KLC"))


def test_only_the_emsps_completion_bills():
    assert bills({"owner": EDP}) and bills({"owner": {"country_code": "PT", "party_id": "EDP"}})
    assert not bills({"owner": GLP})


def test_the_cpo_of_a_station_is_its_locations_party_unless_it_is_the_hub():
    assert cpo_of(("pt", "glp"), ("PT", "MOB")) == ("PT", "GLP")
    assert cpo_of(("PT", "mob"), ("PT", "MOB")) is None
    assert cpo_of(None, ("PT", "MOB")) is None


def test_the_local_pipeline_gives_the_cpo_its_own_lane_and_creates_the_cdr_from_the_emsps_completion(monkeypatch):
    from mobie_hub.cdrs import creation
    from mobie_hub.local import pipeline

    lanes: list[str] = []
    local = pipeline.LocalPipeline.__new__(pipeline.LocalPipeline)  # its routing only: no threads, no AWS
    local.lanes = type("Lanes", (), {"submit": lambda self, key, *work: lanes.append(key)})()
    created: list[str] = []
    monkeypatch.setattr(creation, "create_cdr_for", created.append)
    for event in session_events(at(0), at(60, status=SessionStatus.COMPLETED), "PT#EDP", "PT#GLP", interval=0):
        local._push_to_owner(event)
        pipeline.create_cdr(event)
    assert lanes == ["PARTY#EMSP#PT#EDP", "PARTY#CPO#PT#GLP"]
    assert created == [START.id]
