"""Credentials renewal (profile §5): every party whose credentials are older than 7 days gets a new
token through the credentials PUT; a failure leaves the old credentials working and is counted."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from mobie_hub.core import credentials_tokens
from mobie_hub.core.errors import MissingEndpoints, UnableToUseClientApi
from mobie_hub.core.types import utcnow
from mobie_hub.outbound import get_client
from mobie_hub.parties import renewal
from mobie_hub.parties import repository as parties
from mobie_hub.parties.party import PartyRef
from tests.support.fake_emsp import FakeEmsp, envelope, garbage


def registered(hub, emsp: FakeEmsp, days_ago: float = 8):
    response = hub.admin("parties.register", versions_url=emsp.versions_url, token_a=emsp.issue_token_a())
    assert response.status_code == 200, response.text
    ref = PartyRef(country_code=emsp.country_code, party_id=emsp.party_id)
    party = parties.get_party(ref)
    aged = party.model_copy(update={"credentials_changed_at": utcnow() - timedelta(days=days_ago)})
    return parties.save(aged, expected_revision=party.revision)


def can_call_hub(hub, token: str) -> bool:
    response = httpx.get(hub.versions_url, headers={"Authorization": f"Token {token}"})
    return response.status_code == 200


def test_only_parties_older_than_the_renewal_age_are_due(hub, edp: FakeEmsp, glp: FakeEmsp):
    registered(hub, edp, days_ago=8)
    registered(hub, glp, days_ago=6)
    hub.admin("parties.invite", country_code="PT", party_id="IBD")  # invited: never due
    assert [p.party_id for p in renewal.due_parties()] == ["EDP"]
    assert [p.party_id for p in renewal.due_parties(days=5)] == ["EDP", "GLP"]


def test_renewal_exchanges_new_tokens_both_ways(hub, edp: FakeEmsp):
    # Given a party registered 8 days ago
    before = registered(hub, edp)
    old_hub_token = edp.hub_token
    # When the hub renews
    renewed = renewal.renew(before.key, get_client())
    # Then the party got a new hub token (which worked during the PUT) and the hub stores the party's new one
    assert edp.hub_token != old_hub_token
    assert edp.read_back[-1] == 200
    assert renewed.party_token != before.party_token and renewed.party_token in edp.accepted_tokens
    assert renewed.credentials_changed_at > before.credentials_changed_at
    assert renewed.pending_hub_token_hash is None
    assert not can_call_hub(hub, old_hub_token)
    assert can_call_hub(hub, edp.hub_token)
    assert renewal.due_parties() == []


def test_a_failed_renewal_keeps_the_old_credentials_working(hub, edp: FakeEmsp):
    before = registered(hub, edp)
    old_hub_token, old_party_tokens = edp.hub_token, set(edp.accepted_tokens)
    edp.override["credentials"] = garbage  # the answer is lost: the party may have taken the new token
    with pytest.raises(UnableToUseClientApi, match="not an OCPI response"):
        renewal.renew(before.key, get_client())
    after = parties.get_party(before.key)
    assert after.party_token == before.party_token and after.party_token in old_party_tokens
    assert after.hub_token_hash == before.hub_token_hash
    assert can_call_hub(hub, old_hub_token)
    assert after.pending_hub_token_hash is not None  # kept: the party may be using it already
    assert credentials_tokens.find_caller(edp.received[-1][2]["token"]) is not None
    assert after.connection_status == "OFFLINE"


def test_a_renewal_the_party_refuses_drops_the_new_token(hub, edp: FakeEmsp):
    before = registered(hub, edp)
    edp.override["credentials"] = lambda: envelope(status_code=2001, message="no thanks")
    with pytest.raises(UnableToUseClientApi, match="no thanks"):
        renewal.renew(before.key, get_client())
    after = parties.get_party(before.key)
    assert after.pending_hub_token_hash is None
    assert credentials_tokens.find_caller(edp.received[-1][2]["token"]) is None
    assert can_call_hub(hub, edp.hub_token)


def test_a_pending_token_is_replaced_by_the_next_renewal(hub, edp: FakeEmsp):
    before = registered(hub, edp)
    edp.override["credentials"] = garbage
    with pytest.raises(UnableToUseClientApi):
        renewal.renew(before.key, get_client())
    first_pending = edp.received[-1][2]["token"]
    del edp.override["credentials"]
    renewal.renew(before.key, get_client())
    assert credentials_tokens.find_caller(first_pending) is None
    assert can_call_hub(hub, edp.hub_token)


def test_renew_due_renews_each_due_party_and_records_every_outcome(hub, edp: FakeEmsp, glp: FakeEmsp):
    registered(hub, edp)
    registered(hub, glp)
    glp.override["credentials"] = garbage
    recorded = []
    outcomes = renewal.renew_due(get_client(), recorded.append)
    assert [(o.label, o.renewed) for o in outcomes] == [("EMSP PT/EDP", True), ("EMSP PT/GLP", False)]
    assert recorded == outcomes
    assert "not an OCPI response" in outcomes[1].reason


def test_renew_due_admin_operation_counts_a_metric_per_outcome(hub, edp: FakeEmsp, glp: FakeEmsp, capsys):
    registered(hub, edp)
    registered(hub, glp)
    glp.override["credentials"] = garbage
    result = hub.admin("parties.renew_due").json()
    assert (result["renewed"], result["failed"]) == (1, 1)
    emf = [line for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert any("CredentialsRenewalFailed" in line for line in emf)
    assert any('"CredentialsRenewed"' in line for line in emf)


def test_a_party_without_a_credentials_endpoint_keeps_no_unsent_token(hub, edp: FakeEmsp):
    before = registered(hub, edp)
    without = before.model_copy(
        update={"endpoints": [e for e in before.endpoints if str(e.identifier) != "credentials"]}
    )
    parties.save(without, expected_revision=before.revision)
    with pytest.raises(MissingEndpoints):
        renewal.renew(before.key, get_client())
    after = parties.get_party(before.key)
    assert after.pending_hub_token_hash is None and after.hub_token_hash == before.hub_token_hash


def test_a_successful_put_with_an_unusable_answer_keeps_the_new_token(hub, edp: FakeEmsp):
    before = registered(hub, edp)
    edp.override["credentials"] = lambda: envelope({"token": "t", "url": edp.versions_url, "roles": []})
    with pytest.raises(UnableToUseClientApi, match="invalid Credentials"):
        renewal.renew(before.key, get_client())
    assert parties.get_party(before.key).pending_hub_token_hash is not None
