"""The simulated EMSP's OCPI interfaces, as the hub calls them: the token it gave the hub, answers in
the OCPI envelope, what it keeps and the line it prints for each push."""

from __future__ import annotations

import base64
import io

import pytest
from fastapi.testclient import TestClient

from mobie_hub.simulator.emsp import SimulatedEmsp
from mobie_hub.simulator.emsp_receivers import build_app
from mobie_hub.simulator.party import PartyOptions
from mobie_hub.simulator.timeline import Timeline

BASE = "/ocpi/emsp/2.2.1"


class NoAdmin:
    def call(self, name, payload):  # pragma: no cover - the receivers never call the admin interface
        raise AssertionError(name)


@pytest.fixture
def emsp() -> SimulatedEmsp:
    simulated = SimulatedEmsp(PartyOptions("SIM"), Timeline(io.StringIO()), admin=NoAdmin())
    simulated.base_url = "http://127.0.0.1:9999"
    simulated.new_token_for_hub()
    return simulated


@pytest.fixture
def hub(emsp) -> TestClient:
    """The hub's side: calls carrying the token the EMSP gave it."""
    token = next(iter(emsp.tokens_for_hub))
    headers = {"Authorization": "Token " + base64.b64encode(token.encode()).decode()}
    return TestClient(build_app(emsp), headers=headers)


def kinds(emsp) -> list[str]:
    return [event.kind for event in emsp.timeline.events]


def test_a_call_without_the_emsps_token_is_401_in_the_envelope_and_printed(emsp):
    answer = TestClient(build_app(emsp)).put(
        f"{BASE}/sessions/PT/MOB/S1", json={"id": "S1"}, headers={"Authorization": "Token bm9wZQ=="}
    )

    assert answer.status_code == 401 and answer.json()["status_code"] == 2000
    assert emsp.sessions == {} and kinds(emsp) == ["refused"]


def test_versions_and_details_offer_the_receivers_at_the_emsps_url(hub):
    versions = hub.get("/ocpi/versions").json()["data"]
    details = hub.get(f"{BASE}").json()["data"]

    assert versions == [{"version": "2.2.1", "url": f"http://127.0.0.1:9999{BASE}"}]
    offered = {(e["identifier"], e["role"]) for e in details["endpoints"]}
    assert {
        ("sessions", "RECEIVER"),
        ("cdrs", "RECEIVER"),
        ("locations", "RECEIVER"),
        ("hubclientinfo", "RECEIVER"),
        ("credentials", "RECEIVER"),
    } <= offered


def test_a_session_put_then_patch_is_kept_merged_and_each_printed_with_its_figures(hub, emsp):
    put = hub.put(
        f"{BASE}/sessions/PT/MOB/S1",
        json={"id": "S1", "status": "ACTIVE", "kwh": 0, "evse_uid": "E1", "cdr_token": {"uid": "04AA"}},
    )
    patch = hub.patch(
        f"{BASE}/sessions/PT/MOB/S1", json={"kwh": 1.25, "total_cost": {"excl_vat": 1, "incl_vat": 1.23}}
    )

    assert put.json()["status_code"] == patch.json()["status_code"] == 1000
    assert emsp.sessions["S1"]["status"] == "ACTIVE" and emsp.sessions["S1"]["kwh"] == 1.25
    first, second = emsp.timeline.events
    assert (first.ref, first.figures["status"], first.figures["token"]) == ("S1", "ACTIVE", "04AA")
    assert second.what == "PATCH Session S1" and "1.250 kWh  EUR 1.23 incl. VAT" in second.line()


def test_a_session_put_under_another_id_or_a_body_that_is_not_an_object_is_2001(hub, emsp):
    other = hub.put(f"{BASE}/sessions/PT/MOB/S1", json={"id": "S2"})
    garbage = hub.put(
        f"{BASE}/sessions/PT/MOB/S1", content=b"[1, 2", headers={"content-type": "application/json"}
    )
    listed = hub.put(f"{BASE}/sessions/PT/MOB/S1", json=[1])

    assert [r.status_code for r in (other, garbage, listed)] == [400, 400, 400]
    assert {r.json()["status_code"] for r in (other, garbage, listed)} == {2001}
    assert emsp.sessions == {}


def test_a_cdr_is_kept_readable_at_its_location_and_printed_with_its_billing_lines(hub, emsp):
    cdr = {
        "id": "C1",
        "session_id": "S1",
        "total_energy": 0.015,
        "total_cost": {"excl_vat": 0.49, "incl_vat": 0.6},
        "mobie_cdr_extension": {"lines": [{"type": "EGME", "amount_excl_vat": 0.17}]},
    }

    posted = hub.post(f"{BASE}/cdrs", json=cdr)
    read = hub.get(posted.headers["location"].removeprefix("http://127.0.0.1:9999"))
    unknown = hub.get(f"{BASE}/cdrs/C9")
    nameless = hub.post(f"{BASE}/cdrs", json={"session_id": "S1"})

    assert posted.json()["status_code"] == 1000 and read.json()["data"] == cdr
    assert (unknown.status_code, unknown.json()["status_code"]) == (404, 2004)
    assert nameless.json()["status_code"] == 2001
    event = emsp.timeline.events[0]
    assert (event.kind, event.ref, event.figures["session"]) == ("cdr", "C1", "S1")
    assert event.figures["lines"] == ["EGME 0.17"]


def test_a_command_result_is_kept_for_its_command_and_an_unknown_response_url_is_2004(hub, emsp):
    emsp.commands["U1"] = {"command": "START_SESSION"}

    known = hub.post(f"{BASE}/commands/START_SESSION/U1", json={"result": "ACCEPTED"})
    unknown = hub.post(f"{BASE}/commands/START_SESSION/U2", json={"result": "ACCEPTED"})

    assert known.json()["status_code"] == 1000 and emsp.commands["U1"]["result"] == {"result": "ACCEPTED"}
    assert (unknown.status_code, unknown.json()["status_code"]) == (404, 2004)
    assert [(e.kind, e.ref) for e in emsp.timeline.events] == [("command_result", "U1"), ("refused", None)]


def test_a_renewal_answers_a_new_token_both_work_for_a_while_and_a_delete_unregisters(hub, emsp):
    emsp.hub_token, emsp.hub_endpoints = "C-old", {"credentials": "http://hub/credentials"}

    renewed = hub.put(
        f"{BASE}/credentials", json={"token": "C-new", "url": "http://hub/versions", "roles": []}
    )
    new_token, hub_token = renewed.json()["data"]["token"], emsp.hub_token
    with_new = hub.get(f"{BASE}/credentials", headers={"Authorization": f"Token {new_token}"})
    deleted = hub.delete(f"{BASE}/credentials")

    assert renewed.json()["status_code"] == 1000 and hub_token == "C-new"
    assert with_new.json()["status_code"] == 1000  # the new one works, and the old one (the client's) too
    assert deleted.json()["status_code"] == 1000 and not emsp.registered


def test_after_two_renewals_the_first_token_is_refused_and_the_two_newest_work(hub, emsp):
    original = emsp.tokens_for_hub[-1]
    for new in ("C-2", "C-3"):
        hub.headers["Authorization"] = f"Token {emsp.tokens_for_hub[-1]}"
        assert hub.put(f"{BASE}/credentials", json={"token": new, "url": "u", "roles": []}).status_code == 200

    def status(token: str) -> int:
        return hub.get("/ocpi/versions", headers={"Authorization": f"Token {token}"}).status_code

    assert status(original) == 401
    assert [status(token) for token in emsp.tokens_for_hub] == [200, 200]
