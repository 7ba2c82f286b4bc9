"""MOBI.E-initiated registration (`parties register --versions-url --token-a`, profile §5), update of
endpoints, hub-side unregister — against fake EMSPs on loopback."""

from __future__ import annotations

import httpx

from mobie_hub.core.dynamodb import table
from mobie_hub.parties import repository as parties
from mobie_hub.parties.party import PartyRef
from tests.support.fake_emsp import FakeEmsp, envelope, garbage

EDP = PartyRef(country_code="PT", party_id="EDP")


def snapshot() -> list[dict]:
    return sorted(table("parties").scan()["Items"], key=lambda i: i["pk"])  # tests may scan


def register(hub, emsp: FakeEmsp, **extra) -> httpx.Response:
    return hub.admin(
        "parties.register", versions_url=emsp.versions_url, token_a=emsp.issue_token_a(), **extra
    )


def test_the_hub_registers_with_an_emsp_from_its_versions_url_and_token_a(hub, edp: FakeEmsp):
    # Given an EMSP that handed MOBI.E its versions URL and a token A
    # When the operator registers it
    response = register(hub, edp)
    # Then the hub picked 2.2.1, POSTed its credentials and stored the EMSP's answer
    assert response.status_code == 200, response.text
    view = response.json()["party"]
    assert (view["role"], view["country_code"], view["party_id"]) == ("EMSP", "PT", "EDP")
    assert view["registration"] == "REGISTERED" and view["version"] == "2.2.1"
    assert "party_token" not in view and view["has_party_token"] is True
    posted = [body for method, what, body in edp.received if (method, what) == ("POST", "credentials")]
    assert posted and posted[0]["url"] == hub.versions_url
    assert {r["role"] for r in posted[0]["roles"]} == {"HUB", "CPO"}
    # The EMSP could read the hub's versions with the new token while handling the POST
    assert edp.read_back == [200]
    # And both directions work afterwards
    party = parties.get_party(EDP)
    assert party.party_token in edp.accepted_tokens
    assert httpx.get(f"{hub.base_url}/ocpi/2.2.1/hubclientinfo", headers=edp.headers()).status_code == 200


def test_the_hub_prefers_2_2_1_and_falls_back_to_2_2(hub, edp: FakeEmsp):
    edp.versions = ("2.1.1", "2.2")
    assert register(hub, edp).json()["party"]["version"] == "2.2"


def test_registration_fails_clearly_and_leaves_nothing_when_no_common_version(hub, edp: FakeEmsp):
    edp.versions = ("2.1.1",)
    before = snapshot()
    response = register(hub, edp)
    assert response.status_code >= 400
    assert response.json()["error"] == "UnsupportedVersion"
    assert "2.1.1" in response.json()["message"]
    assert snapshot() == before
    assert not [r for r in edp.received if r[1] == "credentials"]  # nothing was POSTed


def test_registration_fails_when_the_emsp_lacks_credentials(hub, edp: FakeEmsp):
    edp.modules = (("locations", "RECEIVER"),)
    before = snapshot()
    response = register(hub, edp)
    assert response.json()["error"] == "MissingEndpoints"
    assert snapshot() == before


def test_an_emsp_answering_the_post_with_garbage_leaves_nothing_and_no_working_token(hub, edp: FakeEmsp):
    edp.override["credentials"] = garbage
    before = snapshot()
    response = register(hub, edp)
    assert response.json()["error"] == "OutboundCallFailed"
    assert snapshot() == before


def test_an_emsp_answering_an_invalid_credentials_object_is_undone_on_both_sides(hub, edp: FakeEmsp):
    edp.override["credentials"] = lambda: envelope({"token": "t", "url": "u", "roles": []})
    before = snapshot()
    response = register(hub, edp)
    assert response.json()["error"] == "UnableToUseClientApi"
    assert "roles" in response.json()["message"]
    assert snapshot() == before
    methods = [method for method, what, _ in edp.received if what == "credentials"]
    assert methods == ["POST", "DELETE"]  # the hub undid its registration at the EMSP


def test_an_emsp_answering_as_another_party_than_expected_is_refused(hub, edp: FakeEmsp):
    response = register(hub, edp, country_code="PT", party_id="GLP")
    assert response.json()["error"] == "InvalidRequest"
    assert "EMSP PT/GLP" in response.json()["message"]
    assert parties.list_parties() == []


def test_an_unreachable_versions_url_is_a_clear_error(hub):
    response = hub.admin("parties.register", versions_url="http://127.0.0.1:9/versions", token_a="x")
    assert response.json()["error"] == "OutboundCallFailed"
    assert "unreachable" in response.json()["message"]


def test_a_registered_party_cannot_be_registered_or_invited_again(hub, edp: FakeEmsp):
    register(hub, edp)
    again = register(hub, edp)
    assert again.json()["error"] == "InvalidRequest"
    assert "already registered" in again.json()["message"]
    invite = hub.admin("parties.invite", country_code="PT", party_id="EDP")
    assert invite.json()["error"] == "InvalidRequest"


def test_update_endpoints_rereads_the_details(hub, edp: FakeEmsp):
    register(hub, edp)
    edp.modules = (*edp.modules, ("cdrs", "RECEIVER"))
    response = hub.admin("parties.update_endpoints", country_code="PT", party_id="EDP")
    assert response.status_code == 200, response.text
    assert "cdrs" in {e["identifier"] for e in response.json()["party"]["endpoints"]}


def test_update_endpoints_that_fails_changes_nothing(hub, edp: FakeEmsp):
    register(hub, edp)
    before = parties.get_party(EDP)
    edp.override["details"] = garbage
    response = hub.admin("parties.update_endpoints", country_code="PT", party_id="EDP")
    assert response.json()["error"] == "OutboundCallFailed"
    after = parties.get_party(EDP)
    assert after.endpoints == before.endpoints


def test_unregister_tells_the_emsp_and_revokes_its_token(hub, edp: FakeEmsp):
    register(hub, edp)
    headers = edp.headers()
    response = hub.admin("parties.unregister", country_code="PT", party_id="EDP")
    assert response.json()["party_notified"] is True
    assert ("DELETE", "credentials", None) in edp.received
    assert httpx.get(hub.versions_url, headers=headers).status_code == 401
    assert parties.get_party(EDP).registration == "UNREGISTERED"


def test_unregister_of_an_unreachable_emsp_still_unregisters_and_says_why(hub, edp: FakeEmsp):
    register(hub, edp)
    edp.override["credentials"] = garbage
    response = hub.admin("parties.unregister", country_code="PT", party_id="EDP")
    assert response.json()["party_notified"] is False
    assert "not an OCPI response" in response.json()["problem"]
    assert parties.get_party(EDP).registration == "UNREGISTERED"


def test_list_and_show(hub, edp: FakeEmsp, glp: FakeEmsp):
    register(hub, edp)
    hub.admin("parties.invite", country_code="PT", party_id="IBD")
    listed = hub.admin("parties.list").json()["parties"]
    assert [(p["party_id"], p["registration"]) for p in listed] == [("EDP", "REGISTERED"), ("IBD", "INVITED")]
    shown = hub.admin("parties.show", country_code="pt", party_id="ibd").json()["party"]
    assert shown["connection_status"] == "PLANNED"
    missing = hub.admin("parties.show", country_code="PT", party_id="XYZ")
    assert missing.status_code == 404 and missing.json()["error"] == "NotFound"
