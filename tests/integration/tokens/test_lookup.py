"""The OCPP side's lookup: an idTag → the token and its owner, in one Query plus one read of the
owner's registration (profile §10, §11; issue #12)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mobie_hub.core.dynamodb import counting_calls
from mobie_hub.tokens import repository
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.rules import AuthorizationStatus, authorization_status, id_tag_for
from tests.support.parties import Party, issue
from tests.support.tokens import APP_UID, app_token, registered_emsp, rfid_token

RFID_URL = "/ocpi/2.2.1/tokens/PT/EDP/04A1B2C3D4E5F6"


@pytest.fixture(autouse=True)
def edp_registered(aws):
    registered_emsp("EDP")


def test_a_pushed_rfid_card_is_found_by_its_uid_in_one_read(client: TestClient, emsp: Party):
    # Given PT/EDP pushed an RFID token
    client.put(RFID_URL, json=rfid_token(), headers=emsp.headers)

    # When a station reports the card, in whatever case
    with counting_calls() as calls:
        found = repository.find_by_id_tag("04a1b2c3d4e5f6")

    # Then one Query finds the token, one GetItem says its owner is registered, and it is accepted
    assert calls == {"Query": 1, "GetItem": 1}
    assert found.token == Token.model_validate(rfid_token())
    assert (found.country_code, found.party_id, found.id_tag) == ("PT", "EDP", "04A1B2C3D4E5F6")
    assert found.owner_party_key == "PARTY#EMSP#PT#EDP"
    assert authorization_status(found.token) is AuthorizationStatus.ACCEPTED


def test_an_app_token_is_found_by_its_derived_id_tag(client: TestClient, emsp: Party):
    # Given an APP_USER token (a 36-character UUID uid)
    client.put(f"/ocpi/2.2.1/tokens/PT/EDP/{APP_UID}?type=APP_USER", json=app_token(), headers=emsp.headers)
    token = Token.model_validate(app_token())

    # When the idTag the hub sends in RemoteStartTransaction comes back from the station
    id_tag = id_tag_for(token)
    found = repository.find_by_id_tag(id_tag.lower())

    # Then it resolves to that token; the uid itself is no idTag
    assert len(id_tag) <= 20
    assert found.token == token and found.id_tag == id_tag
    assert repository.find_by_id_tag(APP_UID) is None


def test_an_invalidated_token_is_still_found_and_blocked(client: TestClient, emsp: Party):
    client.put(RFID_URL, json=rfid_token(), headers=emsp.headers)
    client.patch(
        RFID_URL, json={"valid": False, "last_updated": "2024-05-01T00:00:00Z"}, headers=emsp.headers
    )

    found = repository.find_by_id_tag("04A1B2C3D4E5F6")

    assert found.token.valid is False
    assert authorization_status(found.token) is AuthorizationStatus.BLOCKED


def test_an_unknown_id_tag_is_none_and_invalid(aws):
    assert repository.find_by_id_tag("DEADBEEF") is None
    assert authorization_status(None) is AuthorizationStatus.INVALID


GLP_URL = "/ocpi/2.2.1/tokens/PT/GLP/04A1B2C3D4E5F6"
CARD_TAG = "04A1B2C3D4E5F6"


def glp_card(**overrides) -> dict:
    return rfid_token(party_id="GLP", contract_id="PT-GLP-C-1234ABCD-1", **overrides)


def test_a_card_another_emsp_holds_validly_cannot_be_pushed_and_never_changes_hands(
    client: TestClient, emsp: Party
):
    # Given PT/EDP holds the card, and PT/GLP (registered too) pushes the same uid, more recent
    glp = issue("C", party_id="GLP")
    registered_emsp("GLP")
    client.put(RFID_URL, json=rfid_token(), headers=emsp.headers)
    refused = client.put(GLP_URL, json=glp_card(last_updated="2024-04-01T00:00:00Z"), headers=glp.headers)

    # Then GLP is refused and the card stays EDP's
    assert (refused.status_code, refused.json()["status_code"]) == (409, 2001)
    assert len(repository.find_all_by_id_tag("04A1B2C3D4E5F6")) == 1
    assert repository.find_by_id_tag("04A1B2C3D4E5F6").party_id == "EDP"

    # When EDP invalidates its token, GLP may take the card (a driver who changed provider)
    invalidated = {"valid": False, "last_updated": "2024-06-01T00:00:00Z"}
    client.patch(RFID_URL, json=invalidated, headers=emsp.headers)
    taken = client.put(GLP_URL, json=glp_card(last_updated="2024-04-01T00:00:00Z"), headers=glp.headers)
    assert taken.status_code == 201
    assert repository.find_by_id_tag("04A1B2C3D4E5F6").party_id == "GLP"


def test_an_invalidated_token_of_another_emsp_never_shadows_a_valid_one(client: TestClient, emsp):
    # Given EDP's invalidated card, however recent, and GLP's valid one, older
    later = rfid_token(valid=False, last_updated="2025-01-01T00:00:00Z")
    client.put(RFID_URL, json=later, headers=emsp.headers)
    registered_emsp("GLP")
    glp = issue("C", party_id="GLP")
    pushed = client.put(GLP_URL, json=glp_card(last_updated="2024-01-01T00:00:00Z"), headers=glp.headers)

    # Then the valid one is the card's token
    assert pushed.status_code == 201
    assert repository.find_by_id_tag("04A1B2C3D4E5F6").party_id == "GLP"


def test_the_item_carries_the_documented_keys(client: TestClient, emsp: Party):
    # docs/dynamodb.md, tokens table
    client.put(f"/ocpi/2.2.1/tokens/PT/EDP/{APP_UID}?type=APP_USER", json=app_token(), headers=emsp.headers)
    item = repository.table("tokens").get_item(
        Key={"pk": f"TOKEN#PT#EDP#APP_USER#{APP_UID.upper()}", "sk": "TOKEN"}
    )["Item"]
    id_tag = id_tag_for(Token.model_validate(app_token()))
    assert item["gsi1pk"] == f"IDTAG#{id_tag}"
    assert item["gsi1sk"] == f"PT#EDP#APP_USER#{APP_UID.upper()}"
    assert item["gsi2pk"] == "PARTY#PT#EDP"
    assert item["gsi2sk"] == f"2024-03-01T09:00:00.000Z#APP_USER#{APP_UID.upper()}"
    [state] = repository.token_states_of_party("pt", "edp")
    assert state.key == f"PT#EDP#APP_USER#{APP_UID.upper()}" and state.id_tag == id_tag
    assert state.stored().token == Token.model_validate(app_token())


def test_the_idtag_claim_refuses_a_second_emsp_even_before_the_index_shows_the_first(
    client: TestClient, emsp: Party, monkeypatch
):
    # Given EDP's card just written, and an idTag index that has not caught up yet (eventually
    # consistent: two PUTs racing each other both see an empty index)
    registered_emsp("GLP")
    glp = issue("C", party_id="GLP")
    client.put(RFID_URL, json=rfid_token(), headers=emsp.headers)
    monkeypatch.setattr(repository, "find_all_by_id_tag", lambda id_tag: [])

    # When GLP pushes the same card
    refused = client.put(GLP_URL, json=glp_card(), headers=glp.headers)

    # Then the claim written with EDP's token refuses it, and nothing of GLP's is stored
    assert (refused.status_code, refused.json()["status_code"]) == (409, 2001)
    monkeypatch.undo()
    assert [s.party_id for s in repository.find_all_by_id_tag(CARD_TAG)] == ["EDP"]
