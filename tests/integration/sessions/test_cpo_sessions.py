"""Sessions and CDRs of a CPO's stations (issue #16 item 3): the session snapshots the station's CPO,
its events go to the token's EMSP and to that CPO (each its own push), its CDR too; GET lists answer
a CPO with its stations' objects. Isolation: a session on GLP's station with EDP's token reaches EDP
and GLP, never KLC (another CPO) nor another EMSP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mobie_hub.cdrs import repository as cdrs
from mobie_hub.cdrs.builder import build_cdr
from mobie_hub.cdrs.creation import Outcome, create_cdr_for
from mobie_hub.cdrs.credit import credit_cdr
from mobie_hub.core.dynamodb import counting_calls, table
from mobie_hub.core.models import CdrDimension, CdrDimensionType, ChargingPeriod, Role
from mobie_hub.core.versions import Endpoint, InterfaceRole
from mobie_hub.events import fanout, push_state
from mobie_hub.events.sessions import SESSION_COMPLETED, bills, session_events
from mobie_hub.locations.enums import Status
from mobie_hub.locations.repository import get_location, put_location
from mobie_hub.ocpp.ports import TokenRef
from mobie_hub.parties.models import ConnectionStatus
from mobie_hub.parties.party import Party, Registration
from mobie_hub.parties.repository import get_party, save
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions import transaction_repository as transactions
from mobie_hub.sessions.models import SessionStatus
from tests.integration.sessions.conftest import charge
from tests.support.fake_party import fake_party
from tests.support.ocpp_data import STATION_ID, station_location
from tests.support.ocpp_fakes import EDP_TOKEN
from tests.support.parties import issue, register_receiver

MODULES = ("sessions", "cdrs")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FROM = {"date_from": "2026-01-01T00:00:00Z"}
EVSE = f"{STATION_ID}-01"
GLP_EMSP_TOKEN = TokenRef("PT", "GLP", "RFID", "0011223344", "PT-GLP-C-00000001-X")


def register_cpo(base_url: str, party_id: str, modules: tuple[str, ...] = MODULES) -> Party:
    """A REGISTERED CPO whose receiver endpoints for ``modules`` live at ``base_url``."""
    record = Party(
        role=Role.CPO, country_code="PT", party_id=party_id, registration=Registration.REGISTERED,
        connection_status=ConnectionStatus.CONNECTED, version="2.2.1", party_token=f"token-of-cpo-{party_id}",
        endpoints=[Endpoint(identifier=m, role=InterfaceRole.RECEIVER, url=f"{base_url}/ocpi/cpo/2.2.1/{m}")
                   for m in modules],
    )
    return save(record, expected_revision=None)


@pytest.fixture
def location(aws):
    """The station the OCPP fixtures use, operated by the CPO PT/GLP."""
    glp = station_location(Status.AVAILABLE, Status.AVAILABLE).model_copy(update={"party_id": "GLP"})
    put_location(glp)
    return glp


def session_id_of(transaction_id: int) -> str:
    return transactions.get_transaction(transaction_id)["session_id"]


def create_cdrs(events) -> list[Outcome]:
    """What the EventBridge rule → functions/cdr_creation does for every completion (the CPO's copy
    of a completion is skipped by the handler: ``bills``)."""
    return [create_cdr_for(e.detail["session_id"]) for e in events
            if e.event_name == SESSION_COMPLETED and bills(e.detail)]


def test_a_session_on_a_cpos_station_reaches_the_tokens_emsp_and_that_cpo_and_nobody_else(station, clock, pipeline):
    with fake_party() as edp, fake_party() as glp, fake_party() as klc, fake_party() as other_emsp:
        register_receiver(edp.base_url, "EDP", modules=MODULES)
        register_cpo(glp.base_url, "GLP")
        register_cpo(klc.base_url, "KLC")  # another CPO with receivers: its stations are not this one
        register_receiver(other_emsp.base_url, "GLP", modules=MODULES)  # EMSP PT/GLP: same ids, other role

        transaction_id = charge(station, clock, after=pipeline)
        events, outcomes = pipeline()

        session_id = session_id_of(transaction_id)
        record = sessions.get_record(session_id)
        assert (record.owner, record.cpo) == (("PT", "EDP"), ("PT", "GLP"))
        # One event per recipient and change, each naming its recipient and role
        names = ["SessionStarted", "SessionMetered", "SessionMetered", "SessionCompleted"]
        assert [e.event_name for e in events] == [n for n in names for _ in (1, 2)]
        assert [e.detail["owner"] for e in events[:2]] == [
            {"country_code": "PT", "party_id": "EDP", "role": "EMSP"},
            {"country_code": "PT", "party_id": "GLP", "role": "CPO"},
        ]
        assert {o["party"] for o in outcomes} == {"PARTY#EMSP#PT#EDP", "PARTY#CPO#PT#GLP"}
        assert all(o["ok"] for o in outcomes)
        path = f"/sessions/PT/MOB/{session_id}"
        for party, prefix in ((edp, "/ocpi/emsp/2.2.1"), (glp, "/ocpi/cpo/2.2.1")):
            assert [(r.method, r.path) for r in party.received] == [
                ("PUT", prefix + path), ("PATCH", prefix + path), ("PATCH", prefix + path), ("PATCH", prefix + path)
            ]
        assert glp.received[0].body == edp.received[0].body  # the same Session (the hub's ids)
        assert glp.received[0].body["party_id"] == "MOB" and glp.received[0].body["cdr_token"]["party_id"] == "EDP"
        assert glp.received[3].body["status"] == "COMPLETED"
        assert klc.received == [] and other_emsp.received == []

        # The CDR: created once (the CPO's completion does not bill), POSTed to both, with the CPO copied
        assert create_cdrs(events) == [Outcome.CREATED]
        seen = len(events)
        events, _ = pipeline()
        assert [(e.event_name, e.detail["owner"]["role"]) for e in events[seen:]] == [
            ("CdrCreated", "EMSP"), ("CdrCreated", "CPO"),
        ]
        cdr_id = cdrs.cdr_id_for(session_id)
        assert cdrs.get_cdr_record(cdr_id).cpo == ("PT", "GLP")
        for party, url in ((edp, "/ocpi/emsp/2.2.1/cdrs"), (glp, "/ocpi/cpo/2.2.1/cdrs")):
            [post] = [r for r in party.received if r.method == "POST"]
            assert (post.path, post.body["id"]) == (url, cdr_id)
            assert "mobie_cdr_extension" in post.body
        assert klc.received == [] and other_emsp.received == []
        # A delivery record per (CDR, party key): both delivered
        assert {d["party"]: d["status"] for d in cdrs.deliveries_of(cdr_id)} == {
            "PARTY#EMSP#PT#EDP": "DELIVERED", "PARTY#CPO#PT#GLP": "DELIVERED",
        }


def test_a_cpo_without_a_sessions_receiver_gets_nothing_and_the_emsp_still_everything(station, clock, pipeline):
    with fake_party() as edp, fake_party() as glp:
        register_receiver(edp.base_url, "EDP", modules=MODULES)
        register_cpo(glp.base_url, "GLP", modules=("tariffs",))
        charge(station, clock, after=pipeline)
        _, outcomes = pipeline()
        assert {o["party"] for o in outcomes} == {"PARTY#EMSP#PT#EDP"} and len(edp.received) == 4
        assert glp.received == []


def test_the_hubs_own_stations_have_no_cpo_and_their_sessions_one_recipient(aws):
    put_location(station_location())  # PT/MOB: MOBI.E's own station
    session = sessions.open_pending_session(STATION_ID, EVSE, f"{EVSE}-01", EDP_TOKEN, None, now=T0,
                                            operator=("pt", "mob"))
    item = table("sessions").get_item(Key=sessions.session_key(session.id))["Item"]
    assert "cpo" not in item and item["owner"] == "PT#EDP"


def test_a_remote_start_snapshots_the_cpo_and_its_adoption_keeps_it(aws):
    session = sessions.open_pending_session(STATION_ID, EVSE, f"{EVSE}-01", EDP_TOKEN, None, now=T0,
                                            operator=("PT", "glp"))
    item = table("sessions").get_item(Key=sessions.session_key(session.id))["Item"]
    assert item["cpo"] == "PT#GLP" and "gsi1sk" in item  # gsi3: cpo / gsi1sk
    assert sessions.get_record(session.id).cpo == ("PT", "GLP")


def test_an_unknown_idtags_session_on_a_cpos_station_is_kept_but_listed_to_nobody(station, clock, pipeline):
    with fake_party() as glp:
        register_cpo(glp.base_url, "GLP")
        transaction_id = charge(station, clock, id_tag="UNKNOWN-TAG", readings=(), stop_wh=None)
        events, _ = pipeline()
        record = sessions.get_record(session_id_of(transaction_id))
        assert record.status is SessionStatus.INVALID and record.cpo == ("PT", "GLP") and record.owner is None
        assert events == [] and glp.received == []
        item = table("sessions").get_item(Key=sessions.session_key(record.session.id))["Item"]
        assert "gsi1sk" not in item  # off gsi3 (cpo / gsi1sk): its CdrToken names no EMSP, no valid OCPI Session


# --- lists by caller role ---------------------------------------------------------------------------


def pending(token: TokenRef, minutes: int, operator: tuple[str, str]) -> str:
    return sessions.open_pending_session(STATION_ID, EVSE, f"{EVSE}-01", token, None,
                                         now=T0 + timedelta(minutes=minutes), operator=operator).id


@pytest.fixture
def callers(aws):
    return {
        "EDP": issue("C", party_id="EDP"), "GLP-EMSP": issue("C", party_id="GLP"),
        "GLP": issue("C", party_id="GLP", role="CPO"), "KLC": issue("C", party_id="KLC", role="CPO"),
    }


def listed(client, caller, module: str, **params) -> list[str]:
    answer = client.get(f"/ocpi/2.2.1/{module}", params={**FROM, **params}, headers=caller.headers)
    assert answer.status_code == 200 and answer.json()["status_code"] == 1000, answer.text
    assert answer.headers["X-Total-Count"] == str(len(answer.json()["data"])) or "Link" in answer.headers
    return [s["id"] for s in answer.json()["data"]]


def test_each_party_lists_the_sessions_of_its_role_only(client, callers):
    on_glp = [pending(EDP_TOKEN, 1, ("PT", "GLP")), pending(GLP_EMSP_TOKEN, 2, ("PT", "GLP"))]
    on_klc = pending(EDP_TOKEN, 3, ("PT", "KLC"))
    on_hub = pending(GLP_EMSP_TOKEN, 4, ("PT", "MOB"))
    assert listed(client, callers["GLP"], "sessions") == on_glp  # the CPO: its stations, any token
    assert listed(client, callers["KLC"], "sessions") == [on_klc]
    assert listed(client, callers["EDP"], "sessions") == [on_glp[0], on_klc]  # the EMSP: its tokens
    assert listed(client, callers["GLP-EMSP"], "sessions") == [on_glp[1], on_hub]


def test_a_cpos_sessions_page_by_date_and_follow_link_with_two_queries_and_one_batch_read(client, callers):
    ids = [pending(EDP_TOKEN, m, ("PT", "GLP")) for m in (1, 2, 3, 4, 5)]
    glp = callers["GLP"]
    window = {"date_from": "2026-11-23T09:02:00Z", "date_to": "2026-11-23T09:04:00Z"}
    assert listed(client, glp, "sessions", **window) == ids[1:3]
    first = client.get("/ocpi/2.2.1/sessions", params={**FROM, "limit": 2}, headers=glp.headers)
    assert [s["id"] for s in first.json()["data"]] == ids[:2] and first.headers["X-Total-Count"] == "5"
    link = first.headers["Link"].split(";")[0].strip("<>").replace("https://hub.test", "")
    with counting_calls() as calls:
        second = client.get(link, headers=glp.headers)
    assert [s["id"] for s in second.json()["data"]] == ids[2:4]
    # the CPO's ACTIVE sessions (none: no TX items to read) and the page's range; the page's items
    assert (calls["Query"], calls["BatchGetItem"]) == (2, 1)
    by_offset = client.get("/ocpi/2.2.1/sessions", params={**FROM, "offset": 4, "limit": 2}, headers=glp.headers)
    assert [s["id"] for s in by_offset.json()["data"]] == ids[4:] and "Link" not in by_offset.headers
    # A cursor of another party's list is not followed: the page is found by offset instead
    stolen = client.get(link, headers=callers["KLC"].headers)
    assert stolen.json()["data"] == []


def test_a_cpo_reads_a_session_as_it_is_now(client, callers):
    session_id = pending(EDP_TOKEN, 1, ("PT", "GLP"))
    assert sessions.invalidate_pending_session(session_id, now=T0 + timedelta(minutes=2))
    [listed_session] = client.get("/ocpi/2.2.1/sessions", params=FROM, headers=callers["GLP"].headers).json()["data"]
    assert (listed_session["id"], listed_session["status"]) == (session_id, "INVALID")


def completed_cdr(token: TokenRef, minutes: int, operator: tuple[str, str]):
    location = get_location(STATION_ID)
    started = T0 + timedelta(minutes=minutes)
    session = sessions.get_session(pending(token, minutes, operator)).model_copy(update={
        "status": SessionStatus.COMPLETED, "end_date_time": started + timedelta(minutes=30),
        "charging_periods": [ChargingPeriod(start_date_time=started, dimensions=[
            CdrDimension(type=CdrDimensionType.ENERGY, volume=Decimal(5)),
            CdrDimension(type=CdrDimensionType.TIME, volume=Decimal("0.5"))])],
    })
    cdr = build_cdr(session, location, [], cdr_id=session.id, now=T0 + timedelta(hours=minutes))
    cpo = sessions.get_record(session.id).cpo
    assert cdrs.create_cdr(cdr, cpo)
    return cdr


def test_each_party_lists_the_cdrs_of_its_role_only_and_a_credit_reaches_the_cpo_too(client, callers):
    put_location(station_location().model_copy(update={"party_id": "GLP"}))
    on_glp = completed_cdr(EDP_TOKEN, 1, ("PT", "GLP"))
    on_klc = completed_cdr(EDP_TOKEN, 2, ("PT", "KLC"))
    on_hub = completed_cdr(GLP_EMSP_TOKEN, 3, ("PT", "MOB"))
    assert listed(client, callers["GLP"], "cdrs") == [on_glp.id]
    assert listed(client, callers["KLC"], "cdrs") == [on_klc.id]
    assert listed(client, callers["EDP"], "cdrs") == [on_glp.id, on_klc.id]
    assert listed(client, callers["GLP-EMSP"], "cdrs") == [on_hub.id]
    # A credit CDR is the credited one's: listed to the same CPO
    credit = credit_cdr(on_glp.id, "meter fault", now=T0 + timedelta(days=1))
    assert cdrs.get_cdr_record(credit.id).cpo == ("PT", "GLP")
    assert listed(client, callers["GLP"], "cdrs") == [on_glp.id, credit.id]
    assert listed(client, callers["KLC"], "cdrs") == [on_klc.id]


def test_a_cdr_delivery_to_the_cpo_is_retried_for_the_cpo(aws):
    put_location(station_location().model_copy(update={"party_id": "GLP"}))
    cdr = completed_cdr(EDP_TOKEN, 1, ("PT", "GLP"))
    with fake_party() as glp:
        cpo = register_cpo(glp.base_url, "GLP")
        attempt = cdrs_delivery_begin(cdr.id, cpo.key)
        outcomes = fanout.redeliver_due(now=lambda: T0 + timedelta(days=2))
        assert [(o["party"], o["ok"], o["delivery"]) for o in outcomes] == [(cpo.key, True, "DELIVERED")]
        [post] = glp.received
        assert (post.method, post.path, post.body["id"]) == ("POST", "/ocpi/cpo/2.2.1/cdrs", cdr.id)
        assert attempt.party == "PARTY#CPO#PT#GLP"


def cdrs_delivery_begin(cdr_id: str, party_key: str):
    from mobie_hub.cdrs import delivery

    return delivery.begin(cdr_id, party_key, T0)


def test_a_coalesced_update_reaches_the_cpo_through_its_own_recheck(aws):
    from tests.integration.events.test_session_push_order import FakeClient, now_at, states, store

    register_receiver("https://edp.test", "EDP", modules=MODULES)
    register_cpo("https://glp.test", "GLP")
    history = states((1, "1"), (4, "4.5"))
    store(history[-1])  # what a resync reads
    client, published = FakeClient(), []
    # Given the start pushed to both recipients and updates coalesced away inside its window
    started = session_events(None, history[0], "PT#EDP", "PT#GLP", interval=300)
    for event in started:
        fanout.push_to_owner(event, get_party, client, now=now_at(0))
    assert [c[0] for c in client.calls] == ["PUT", "PUT"]
    # When the sweep runs after the window: one resync per recipient, each naming its role
    assert fanout.resync_due(published.extend, now=now_at(6)) == {"due": 2, "published": 2}
    assert sorted(fanout.owner_key(e) for e in published) == ["PARTY#CPO#PT#GLP", "PARTY#EMSP#PT#EDP"]
    # Then each gets the last kWh, its push order kept per party key
    for event in published:
        assert fanout.push_to_owner(event, get_party, client, now=now_at(6))["ok"]
    assert [(c[0], c[2]["kwh"]) for c in client.calls[2:]] == [("PATCH", 4.5), ("PATCH", 4.5)]
    assert {push_state.last_version("SESSION#S1", key) for key in ("PARTY#CPO#PT#GLP", "PARTY#EMSP#PT#EDP")} == {
        "2026-11-23T09:04:00.000Z"
    }
