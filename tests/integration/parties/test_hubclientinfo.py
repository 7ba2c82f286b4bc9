"""HubClientInfo (OCPI 2.2.1 §15): the list of connected parties, kept current, pushed on change."""

from __future__ import annotations

import httpx
import pytest

from mobie_hub.core.errors import UnableToUseClientApi
from mobie_hub.outbound import get_client
from mobie_hub.parties import repository as parties
from mobie_hub.parties.party import PartyRef
from tests.support.fake_emsp import FakeEmsp, garbage


def register(hub, emsp: FakeEmsp) -> None:
    response = hub.admin("parties.register", versions_url=emsp.versions_url, token_a=emsp.issue_token_a())
    assert response.status_code == 200, response.text


def statuses(emsp: FakeEmsp) -> list[tuple[str, str]]:
    return [(f"{c['country_code']}/{c['party_id']}", c["status"]) for c in emsp.client_infos()]


def test_the_list_shows_every_party_with_its_status_paginated(hub, edp: FakeEmsp, glp: FakeEmsp):
    register(hub, edp)
    register(hub, glp)
    hub.admin("parties.invite", country_code="PT", party_id="IBD")
    hub.admin("parties.invite", country_code="ES", party_id="IBE")
    hub.admin("parties.unregister", country_code="PT", party_id="GLP")
    url = f"{hub.base_url}/ocpi/2.2.1/hubclientinfo?limit=2"
    seen = []
    while url:
        response = httpx.get(url, headers=edp.headers())
        assert response.status_code == 200 and response.json()["status_code"] == 1000
        assert response.headers["X-Total-Count"] == "4"
        seen += response.json()["data"]
        url = response.links.get("next", {}).get("url")
    assert [(c["country_code"], c["party_id"], c["role"], c["status"]) for c in seen] == [
        ("ES", "IBE", "EMSP", "PLANNED"),
        ("PT", "EDP", "EMSP", "CONNECTED"),
        ("PT", "GLP", "EMSP", "SUSPENDED"),
        ("PT", "IBD", "EMSP", "PLANNED"),
    ]
    assert all(c["last_updated"].endswith("Z") for c in seen)


def test_the_list_filters_on_last_updated(hub, edp: FakeEmsp):
    register(hub, edp)
    changed = parties.get_party(PartyRef(country_code="PT", party_id="EDP")).last_updated
    after = httpx.get(
        f"{hub.base_url}/ocpi/2.2/hubclientinfo",
        params={"date_from": "2099-01-01T00:00:00Z"},
        headers=edp.headers(),
    )
    assert after.json()["data"] == []
    until = httpx.get(
        f"{hub.base_url}/ocpi/2.2/hubclientinfo",
        params={"date_to": "2099-01-01T00:00:00Z", "date_from": changed.isoformat()},
        headers=edp.headers(),
    )
    assert [c["party_id"] for c in until.json()["data"]] == ["EDP"]


def test_token_a_cannot_read_the_list(hub):
    token_a = hub.admin("parties.invite", country_code="PT", party_id="EDP").json()["token_a"]
    response = httpx.get(
        f"{hub.base_url}/ocpi/2.2.1/hubclientinfo", headers={"Authorization": f"Token {token_a}"}
    )
    # token A beyond credentials/versions: HTTP 401 (OCPI 2.2.1 transport_and_format §4.1.3)
    assert response.status_code == 401


def test_changes_are_pushed_to_the_other_parties_that_receive_client_info(hub, edp: FakeEmsp, glp: FakeEmsp):
    # Given GLP registered (it exposes the hubclientinfo receiver)
    register(hub, glp)
    # When EDP is invited, registers and unregisters
    hub.admin("parties.invite", country_code="PT", party_id="EDP")
    hub.admin("parties.unregister", country_code="PT", party_id="EDP")  # the invitation is withdrawn
    register(hub, edp)
    hub.admin("parties.unregister", country_code="PT", party_id="EDP")
    # Then GLP received each change of EDP, and EDP never received its own
    assert statuses(glp) == [
        ("PT/EDP", "PLANNED"),
        ("PT/EDP", "SUSPENDED"),
        ("PT/EDP", "CONNECTED"),
        ("PT/EDP", "SUSPENDED"),
    ]
    put = next(body for method, what, body in glp.received if what == "hubclientinfo/PT/EDP")
    assert set(put) == {"party_id", "country_code", "role", "status", "last_updated"}
    assert [c for c in statuses(edp) if c[0] == "PT/EDP"] == []


def test_a_party_that_stops_answering_is_offline_and_connected_again_when_it_answers(
    hub, edp: FakeEmsp, glp: FakeEmsp
):
    register(hub, edp)
    register(hub, glp)
    client = get_client()
    # When a call to EDP gets garbage back
    edp.override["credentials"] = garbage
    with pytest.raises(UnableToUseClientApi):
        client.get(edp_record(), "credentials")
    # Then EDP is OFFLINE, and GLP was told
    assert edp_record().connection_status == "OFFLINE"
    # When EDP answers again
    del edp.override["credentials"]
    client.get(edp_record(), "credentials")
    # Then it is CONNECTED again, GLP was told, and the list says so
    assert edp_record().connection_status == "CONNECTED"
    assert statuses(glp)[-2:] == [("PT/EDP", "OFFLINE"), ("PT/EDP", "CONNECTED")]
    listed = httpx.get(f"{hub.base_url}/ocpi/2.2.1/hubclientinfo", headers=glp.headers()).json()["data"]
    assert {c["party_id"]: c["status"] for c in listed} == {"EDP": "CONNECTED", "GLP": "CONNECTED"}


def test_a_failed_client_info_push_marks_the_recipient_offline_without_a_cascade(
    hub, edp: FakeEmsp, glp: FakeEmsp
):
    register(hub, glp)
    glp.accepted_tokens = set()  # GLP refuses the hub from now on: 401 in an envelope (reachable)
    register(hub, edp)
    assert statuses(glp) == []  # GLP refused the push
    glp_record = parties.get_party(PartyRef(country_code="PT", party_id="GLP"))
    assert glp_record.connection_status == "CONNECTED"  # it answered, so it is not offline
    # A GLP that answers garbage is offline, and that change is not pushed on from inside the push
    glp.override["credentials"] = garbage
    with pytest.raises(UnableToUseClientApi):
        get_client().get(glp_record, "credentials")
    assert parties.get_party(glp_record.key).connection_status == "OFFLINE"
    assert statuses(edp)[-1] == ("PT/GLP", "OFFLINE")


def edp_record():
    return parties.get_party(PartyRef(country_code="PT", party_id="EDP"))
