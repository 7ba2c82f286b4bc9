"""CPO parties (issue #16 item 1): both handshakes for role CPO, one platform registered as EMSP and as
CPO (two records, two tokens, each opening its own role's modules), and HubClientInfo with CPOs — the
hub on loopback, fake platforms beside it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mobie_hub.core import credentials_tokens
from mobie_hub.parties import repository as parties
from mobie_hub.parties.party import PartyRef
from tests.support.fake_emsp import FakeEmsp, running_emsp

GLP_CPO = PartyRef(role="CPO", country_code="PT", party_id="GLP")
GLP_EMSP = PartyRef(role="EMSP", country_code="PT", party_id="GLP")
SINCE = "date_from=2026-01-01T00:00:00Z"
CPO_ENDPOINTS = {
    ("credentials", "SENDER"), ("locations", "SENDER"), ("sessions", "SENDER"), ("cdrs", "SENDER"),
    ("tariffs", "RECEIVER"), ("hubclientinfo", "SENDER"),
}


@pytest.fixture
def glp_cpo() -> Iterator[FakeEmsp]:
    """A CPO platform PT/GLP (its Credentials name role CPO)."""
    with running_emsp(party_id="GLP", party_role="CPO") as cpo:
        yield cpo


def details_seen_by(hub, party: FakeEmsp) -> set[tuple[str, str]]:
    data = httpx.get(f"{hub.base_url}/ocpi/2.2.1/details", headers=party.headers()).json()["data"]
    return {(e["identifier"], e["role"]) for e in data["endpoints"]}


def status(hub, party: FakeEmsp, path: str, method: str = "GET", body: dict | None = None) -> tuple[int, int]:
    response = httpx.request(method, f"{hub.base_url}/ocpi/2.2.1/{path}", headers=party.headers(), json=body)
    return response.status_code, response.json()["status_code"]


def test_a_cpo_registers_itself_with_a_token_a_for_role_cpo(hub, glp_cpo: FakeEmsp):
    invited = hub.admin("parties.invite", role="CPO", country_code="PT", party_id="GLP").json()
    assert invited["party"]["role"] == "CPO"
    # The CPO reads the hub's details with token A: already its role's modules.
    glp_cpo.hub_token = invited["token_a"]
    assert details_seen_by(hub, glp_cpo) == CPO_ENDPOINTS

    answer = glp_cpo.register(hub.versions_url, invited["token_a"])

    assert answer.json()["status_code"] == 1000, answer.text
    # The hub answers with the same roles it gives every party: HUB, and CPO of record on PT/MOB.
    assert {(r["role"], r["party_id"]) for r in answer.json()["data"]["roles"]} == {("HUB", "MOB"), ("CPO", "MOB")}
    record = parties.get_party(GLP_CPO)
    assert record.registration == "REGISTERED" and record.key == "PARTY#CPO#PT#GLP"
    assert parties.get_party(GLP_EMSP) is None
    assert details_seen_by(hub, glp_cpo) == CPO_ENDPOINTS
    assert status(hub, glp_cpo, "tokens/PT/GLP/04A1B2C3") == (403, 2000)


def test_an_emsp_cannot_register_with_a_token_a_issued_for_a_cpo(hub, edp: FakeEmsp):
    invited = hub.admin("parties.invite", role="CPO", country_code="PT", party_id="EDP").json()
    answer = edp.register(hub.versions_url, invited["token_a"])  # its Credentials say EMSP
    assert (answer.status_code, answer.json()["status_code"]) == (400, 2001)
    assert "CPO PT/EDP" in answer.json()["status_message"]
    assert parties.get_party(PartyRef(role="CPO", country_code="PT", party_id="EDP")).registration == "INVITED"


def test_the_hub_registers_with_a_cpo_when_the_operator_says_role_cpo(hub, glp_cpo: FakeEmsp):
    response = hub.admin(
        "parties.register", versions_url=glp_cpo.versions_url, token_a=glp_cpo.issue_token_a(), role="CPO"
    )

    assert response.status_code == 200, response.text
    view = response.json()["party"]
    assert (view["role"], view["country_code"], view["party_id"]) == ("CPO", "PT", "GLP")
    posted = [body for method, what, body in glp_cpo.received if (method, what) == ("POST", "credentials")]
    assert {r["role"] for r in posted[0]["roles"]} == {"HUB", "CPO"}
    assert glp_cpo.read_back == [200]
    assert details_seen_by(hub, glp_cpo) == CPO_ENDPOINTS


def test_the_hub_refuses_a_platform_answering_in_another_role_than_the_operator_named(hub, glp_cpo: FakeEmsp):
    before = parties.list_parties()
    response = hub.admin("parties.register", versions_url=glp_cpo.versions_url, token_a=glp_cpo.issue_token_a())

    assert response.json()["error"] == "InvalidRequest"
    assert "answered as CPO, the registration is for EMSP" in response.json()["message"]
    assert parties.list_parties() == before
    assert glp_cpo.hub_token is None  # the hub's registration at the platform was undone too


def test_one_platform_holds_emsp_and_cpo_as_two_registrations_each_token_opening_its_own_role(hub, glp_cpo):
    with running_emsp(party_id="GLP") as glp_emsp:
        for role, platform in (("EMSP", glp_emsp), ("CPO", glp_cpo)):
            token_a = hub.admin("parties.invite", role=role, country_code="PT", party_id="GLP").json()["token_a"]
            assert platform.register(hub.versions_url, token_a).json()["status_code"] == 1000

        listed = hub.admin("parties.list").json()["parties"]
        assert sorted((p["role"], p["party_id"], p["registration"]) for p in listed) == [
            ("CPO", "GLP", "REGISTERED"), ("EMSP", "GLP", "REGISTERED"),
        ]
        assert glp_emsp.hub_token != glp_cpo.hub_token
        assert credentials_tokens.find_caller(glp_cpo.hub_token).role == "CPO"
        assert credentials_tokens.find_caller(glp_emsp.hub_token).role == "EMSP"
        # Each token opens only its own role's modules.
        assert status(hub, glp_emsp, "tariffs") == (200, 1000)
        assert status(hub, glp_cpo, "tariffs") == (403, 2000)  # the CPO uses the receiver
        assert status(hub, glp_emsp, "commands/START_SESSION", "POST", {}) == (400, 2001)  # reached, body refused
        assert status(hub, glp_cpo, "commands/START_SESSION", "POST", {}) == (403, 2000)
        for platform in (glp_emsp, glp_cpo):  # (filtered: a full list counts against each party record)
            assert status(hub, platform, f"locations?{SINCE}") == (200, 1000)
        # Unregistering one role leaves the other working.
        cpo_headers = glp_cpo.headers()
        assert hub.admin("parties.unregister", role="CPO", country_code="PT", party_id="GLP").status_code == 200
        gone = httpx.get(f"{hub.base_url}/ocpi/2.2.1/locations?{SINCE}", headers=cpo_headers)
        assert gone.status_code == 401
        assert status(hub, glp_emsp, f"locations?{SINCE}") == (200, 1000)


def test_emsps_learn_of_a_cpo_through_hubclientinfo_with_its_role(hub, edp: FakeEmsp, glp_cpo: FakeEmsp):
    token_a = hub.admin("parties.invite", country_code="PT", party_id="EDP").json()["token_a"]
    assert edp.register(hub.versions_url, token_a).json()["status_code"] == 1000
    invited = hub.admin("parties.invite", role="CPO", country_code="PT", party_id="GLP").json()

    # The push of the CPO's invitation (PLANNED), then of its registration (CONNECTED), role CPO.
    assert glp_cpo.register(hub.versions_url, invited["token_a"]).json()["status_code"] == 1000
    pushed = [(i["role"], i["party_id"], i["status"]) for i in edp.client_infos()]
    assert pushed == [("CPO", "GLP", "PLANNED"), ("CPO", "GLP", "CONNECTED")]
    listed = httpx.get(f"{hub.base_url}/ocpi/2.2.1/hubclientinfo", headers=edp.headers()).json()["data"]
    assert {(i["role"], i["party_id"]) for i in listed} == {("EMSP", "EDP"), ("CPO", "GLP")}
    # The CPO reads the same list.
    assert status(hub, glp_cpo, "hubclientinfo") == (200, 1000)
