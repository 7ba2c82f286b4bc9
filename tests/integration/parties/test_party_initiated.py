"""EMSP-initiated registration (OCPI credentials POST with a token A from `parties invite`), then
update (PUT), unregister (DELETE) and the spec's 405s — against a fake EMSP on loopback."""

from __future__ import annotations

import httpx

from mobie_hub.core.dynamodb import table
from mobie_hub.parties import repository as parties
from mobie_hub.parties.party import PartyRef
from tests.support.fake_emsp import FakeEmsp, garbage


def invite(hub, party_id="EDP") -> str:
    response = hub.admin("parties.invite", country_code="PT", party_id=party_id)
    assert response.status_code == 200, response.text
    return response.json()["token_a"]


def edp_record():
    return parties.get_party(PartyRef(country_code="PT", party_id="EDP"))


def snapshot() -> list[dict]:
    """The parties table, without the failure count a failed POST adds to token A (it stays usable
    below credentials_tokens.MAX_FAILED_REGISTRATIONS; test_token_a_is_burnt... covers the count)."""
    items = sorted(table("parties").scan()["Items"], key=lambda i: i["pk"])  # tests may scan
    return [{k: v for k, v in item.items() if k != "failed_registrations"} for item in items]


def test_an_invited_emsp_registers_and_gets_token_c(hub, edp: FakeEmsp):
    # Given an invitation
    token_a = invite(hub)
    # When the EMSP registers with token A
    response = edp.register(hub.versions_url, token_a)
    # Then it gets the hub's credentials with a new token C, and the hub read it back
    assert response.status_code == 200
    body = response.json()
    assert body["status_code"] == 1000
    credentials = body["data"]
    assert credentials["token"] != token_a
    assert credentials["url"] == hub.versions_url
    assert {(r["role"], r["country_code"], r["party_id"]) for r in credentials["roles"]} == {
        ("HUB", "PT", "MOB"),
        ("CPO", "PT", "MOB"),
    }
    party = edp_record()
    assert party.registration == "REGISTERED" and party.connection_status == "CONNECTED"
    assert party.version == "2.2.1"
    assert party.party_token in edp.accepted_tokens  # the token the EMSP gave, stored usable
    assert {str(e.identifier) for e in party.endpoints} >= {"credentials", "locations", "hubclientinfo"}
    assert party.business_details.name == "EDP Mobility"
    # And token C works beyond registration modules, token A no longer works at all
    ok = httpx.get(f"{hub.base_url}/ocpi/2.2.1/hubclientinfo", headers=edp.headers())
    assert ok.status_code == 200 and ok.json()["status_code"] == 1000
    replay = httpx.get(hub.versions_url, headers={"Authorization": f"Token {token_a}"})
    assert replay.status_code == 401


def test_a_replayed_token_a_cannot_register_twice(hub, edp: FakeEmsp):
    token_a = invite(hub)
    assert edp.register(hub.versions_url, token_a).json()["status_code"] == 1000
    before = snapshot()
    replay = httpx.post(
        hub.credentials_url(), json=edp.credentials("another"), headers={"Authorization": f"Token {token_a}"}
    )
    assert replay.status_code == 401
    assert replay.json()["status_code"] == 2000
    assert snapshot() == before


def test_post_when_registered_is_405_and_put_when_not_registered_is_405(hub, edp: FakeEmsp):
    token_a = invite(hub)
    put_first = httpx.put(
        hub.credentials_url(), json=edp.credentials("x"), headers={"Authorization": f"Token {token_a}"}
    )
    assert put_first.status_code == 405
    delete_first = httpx.delete(hub.credentials_url(), headers={"Authorization": f"Token {token_a}"})
    assert delete_first.status_code == 405
    edp.register(hub.versions_url, token_a)
    again = httpx.post(hub.credentials_url(), json=edp.credentials("y"), headers=edp.headers())
    assert again.status_code == 405
    assert again.json()["status_code"] == 2000
    assert "already registered" in again.json()["status_message"]


def test_get_credentials_returns_the_token_the_caller_uses(hub, edp: FakeEmsp):
    token_a = invite(hub)
    got = httpx.get(hub.credentials_url(), headers={"Authorization": f"Token {token_a}"}).json()
    assert got["data"]["token"] == token_a
    edp.register(hub.versions_url, token_a)
    assert httpx.get(hub.credentials_url(), headers=edp.headers()).json()["data"]["token"] == edp.hub_token


def test_put_gives_a_new_token_c_and_revokes_the_old_one(hub, edp: FakeEmsp):
    edp.register(hub.versions_url, invite(hub))
    old_headers = edp.headers()
    response = edp.update(hub.credentials_url("2.2"))
    assert response.json()["status_code"] == 1000
    assert httpx.get(hub.versions_url, headers=old_headers).status_code == 401
    assert httpx.get(hub.versions_url, headers=edp.headers()).status_code == 200
    party = edp_record()
    assert party.version == "2.2"  # PUT on the 2.2 endpoint switches to 2.2
    assert party.party_token in edp.accepted_tokens


def test_delete_unregisters_and_revokes_the_token(hub, edp: FakeEmsp):
    edp.register(hub.versions_url, invite(hub))
    headers = edp.headers()
    assert httpx.delete(hub.credentials_url(), headers=headers).json()["status_code"] == 1000
    assert httpx.get(hub.versions_url, headers=headers).status_code == 401
    party = edp_record()
    assert (party.registration, party.connection_status) == ("UNREGISTERED", "SUSPENDED")
    assert party.party_token is None


def post_with(hub, token_a: str, body) -> httpx.Response:
    return httpx.post(
        hub.credentials_url(), json=body, headers={"Authorization": f"Token {token_a}"}, timeout=30
    )


def test_malformed_credentials_are_2001_and_change_nothing(hub, edp: FakeEmsp):
    token_a = invite(hub)
    before = snapshot()
    for body in (
        {"url": edp.versions_url, "roles": [edp.role()]},  # no token
        {"token": "t", "url": edp.versions_url, "roles": []},  # no role
        {"token": "has space", "url": edp.versions_url, "roles": [edp.role()]},
        {"token": "t", "url": edp.versions_url, "roles": [{**edp.role(), "party_id": "TOOLONG"}]},
        ["not", "an", "object"],
    ):
        response = post_with(hub, token_a, body)
        assert response.status_code == 400, body
        assert response.json()["status_code"] == 2001
    assert snapshot() == before


def test_roles_must_name_exactly_the_invited_party(hub, edp: FakeEmsp):
    token_a = invite(hub)
    other = {**edp.role(), "party_id": "GLP"}
    wrong = post_with(hub, token_a, {"token": "t", "url": edp.versions_url, "roles": [other]})
    assert wrong.json()["status_code"] == 2001
    assert "EMSP PT/EDP" in wrong.json()["status_message"]
    cpo = {**edp.role(), "role": "CPO"}
    two = post_with(hub, token_a, {"token": "t", "url": edp.versions_url, "roles": [edp.role(), cpo]})
    assert two.json()["status_code"] == 2001
    assert "per role" in two.json()["status_message"]
    assert edp_record().registration == "INVITED"


def register_expecting(hub, edp: FakeEmsp, status_code: int, words: str) -> None:
    token_a = invite(hub)
    before = snapshot()
    response = post_with(hub, token_a, edp.credentials(edp.new_token_for_hub()))
    assert response.json()["status_code"] == status_code, response.text
    assert words in response.json()["status_message"]
    assert snapshot() == before  # token A still works, nothing registered
    assert httpx.get(hub.versions_url, headers={"Authorization": f"Token {token_a}"}).status_code == 200


def test_an_emsp_without_a_common_version_gets_3002(hub, edp: FakeEmsp):
    edp.versions = ("2.1.1",)
    register_expecting(hub, edp, 3002, "2.1.1")


def test_an_emsp_without_the_credentials_module_gets_3003(hub, edp: FakeEmsp):
    edp.modules = (("locations", "RECEIVER"),)
    register_expecting(hub, edp, 3003, "credentials")


def test_an_emsp_answering_garbage_gets_3001(hub, edp: FakeEmsp):
    edp.override["versions"] = garbage
    register_expecting(hub, edp, 3001, "not an OCPI response")


def test_an_emsp_whose_details_lie_about_the_version_gets_3001(hub, edp: FakeEmsp):
    edp.details_claims_version = "2.2"
    register_expecting(hub, edp, 3001, "describes version 2.2")


def test_an_unreachable_versions_url_gets_3001(hub, edp: FakeEmsp):
    token_a = invite(hub)
    body = {**edp.credentials("t"), "url": "http://127.0.0.1:9/ocpi/versions"}
    response = post_with(hub, token_a, body)
    assert response.json()["status_code"] == 3001
    assert "unreachable" in response.json()["status_message"]
    assert edp_record().registration == "INVITED"


def test_an_emsp_refusing_its_own_token_gets_3001(hub, edp: FakeEmsp):
    token_a = invite(hub)
    response = post_with(hub, token_a, {**edp.credentials("not-what-it-accepts")})
    assert response.json()["status_code"] == 3001
    assert "HTTP 401" in response.json()["status_message"]


def test_the_read_back_carries_the_requests_correlation_id_and_routing_headers(hub, edp: FakeEmsp):
    token_a = invite(hub)
    correlation = "5b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"
    headers = {"Authorization": f"Token {token_a}", "X-Correlation-ID": correlation}
    response = httpx.post(hub.credentials_url(), json=edp.credentials(edp.new_token_for_hub()), headers=headers)
    assert response.json()["status_code"] == 1000
    assert response.headers["X-Correlation-ID"] == correlation
    read_back = [h for method, what, h in edp.received if what in {"versions", "details"}]
    assert len(read_back) == 2
    for sent in read_back:
        assert sent["x-correlation-id"] == correlation
        assert sent["x-request-id"] != correlation
        assert (sent["ocpi-from-country-code"], sent["ocpi-from-party-id"]) == ("PT", "MOB")
        assert (sent["ocpi-to-country-code"], sent["ocpi-to-party-id"]) == ("PT", "EDP")
    assert read_back[0]["x-request-id"] != read_back[1]["x-request-id"]


def test_token_a_is_burnt_after_three_failed_registrations(hub, edp: FakeEmsp):
    # Given an invitation and an EMSP that keeps failing the read-back
    token_a = invite(hub)
    edp.versions = ("2.1.1",)
    # When it POSTs three times
    answers = [post_with(hub, token_a, edp.credentials(edp.new_token_for_hub())) for _ in range(3)]
    # Then each was refused, and token A works no more: the operator must invite again
    assert [a.json()["status_code"] for a in answers] == [3002, 3002, 3002]
    assert post_with(hub, token_a, edp.credentials(edp.new_token_for_hub())).status_code == 401
    assert httpx.get(hub.versions_url, headers={"Authorization": f"Token {token_a}"}).status_code == 401
    assert edp_record().registration == "INVITED"
    edp.versions = ("2.2.1",)
    fresh = invite(hub)
    assert post_with(hub, fresh, edp.credentials(edp.new_token_for_hub())).json()["status_code"] == 1000


def test_a_credentials_url_the_hub_may_not_call_is_2001_at_once(hub, edp: FakeEmsp, monkeypatch):
    token_a = invite(hub)
    for url in (
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        f"{hub.base_url}/ocpi/versions",
    ):
        response = post_with(hub, token_a, {**edp.credentials("t"), "url": url})
        assert response.json()["status_code"] == 2001, url
        assert response.json()["status_message"].startswith("url: "), response.text
    assert edp.received == []
