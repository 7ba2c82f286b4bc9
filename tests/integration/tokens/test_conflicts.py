"""Ambiguous idTags and unregistered EMSPs at the stations (issue #12, findings 1 and 3): valid tokens
of two registered EMSPs on one idTag fail closed (Invalid, logged, metric ``IdTagConflicts``) and are
listed by ``tokens.conflicts``; a token of an EMSP that is not registered authorises nothing."""

from __future__ import annotations

import json

import pytest

from mobie_hub.admin.registry import dispatch
from mobie_hub.core.dynamodb import counting_calls, table
from mobie_hub.core.models import STORED_CONTEXT
from mobie_hub.parties import repository as parties
from mobie_hub.parties.party import Registration
from mobie_hub.tokens import repository as tokens
from mobie_hub.tokens.authority import WhitelistAuthority
from mobie_hub.tokens.models import Token
from tests.support.tokens import registered_emsp, rfid_token

CARD = "04A1B2C3D4E5F6"


def stored_before_the_fix(**overrides) -> Token:
    """A token written straight to the table, as the hub stored them before the PUT check existed."""
    token = Token.model_validate(rfid_token(**overrides), context=STORED_CONTEXT)
    table("tokens").put_item(Item=tokens.token_item(token))
    return token


def unregister(party_id: str) -> None:
    party = parties.get_party(f"PARTY#EMSP#PT#{party_id}")
    parties.save(party.model_copy(update={"registration": Registration.UNREGISTERED}),
                 expected_revision=party.revision)


def metrics(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith('{"_aws"')]


@pytest.fixture
def ambiguous(aws):
    """EDP's card, and GLP's token on the same uid stored with a far-future last_updated."""
    registered_emsp("EDP")
    registered_emsp("GLP")
    stored_before_the_fix()
    stored_before_the_fix(
        party_id="GLP", contract_id="PT-GLP-C-1234ABCD-1", last_updated="9999-12-31T23:59:59Z"
    )


def test_an_ambiguous_id_tag_is_invalid_for_everyone_and_counted(ambiguous, capsys):
    decision = WhitelistAuthority().authorize(CARD.lower())

    assert (decision.status, decision.token) == ("Invalid", None)
    [metric] = [m for m in metrics(capsys.readouterr().out) if "IdTagConflicts" in m]
    assert metric["IdTagConflicts"] == 1
    assert metric["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "MobieHub"


def test_the_operator_lists_the_ambiguous_id_tags_with_their_owners(ambiguous):
    report = dispatch("tokens.conflicts", {})

    assert report["count"] == 1
    [conflict] = report["conflicts"]
    assert conflict["id_tag"] == CARD and conflict["owners"] == ["PT/EDP", "PT/GLP"]
    assert [t["owner"] for t in conflict["tokens"]] == ["PT/EDP", "PT/GLP"]


def test_once_one_emsp_is_unregistered_the_card_is_the_others_again(ambiguous):
    unregister("GLP")

    decision = WhitelistAuthority().authorize(CARD)

    assert decision.status == "Accepted" and decision.token.party_id == "EDP"
    assert dispatch("tokens.conflicts", {}) == {"count": 0, "conflicts": []}


def test_a_token_of_an_unregistered_emsp_authorises_nothing(aws):
    registered_emsp("EDP")
    stored_before_the_fix()
    assert WhitelistAuthority().authorize(CARD).status == "Accepted"

    unregister("EDP")

    assert WhitelistAuthority().authorize(CARD).status == "Invalid"
    assert WhitelistAuthority().authorize(CARD).token is None


def test_a_token_whose_emsp_has_no_party_record_authorises_nothing(aws):
    stored_before_the_fix()  # fail closed: only a REGISTERED party's tokens are the whitelist
    assert WhitelistAuthority().authorize(CARD).status == "Invalid"


def test_authorize_costs_one_query_and_one_registration_read(aws):
    registered_emsp("EDP")
    stored_before_the_fix()

    with counting_calls() as known:
        WhitelistAuthority().authorize(CARD)
    with counting_calls() as unknown:
        WhitelistAuthority().authorize("DEADBEEF")

    assert known == {"Query": 1, "GetItem": 1}
    assert unknown == {"Query": 1}


def test_the_card_of_an_unregistered_emsp_may_be_pushed_by_another(aws):
    # Given EDP's card, claimed, and then EDP unregistered
    registered_emsp("EDP")
    registered_emsp("GLP")
    tokens.put_token(Token.model_validate(rfid_token()))
    unregister("EDP")

    # When GLP pushes the same card, its write takes EDP's stale claim over
    glp = Token.model_validate(rfid_token(party_id="GLP", contract_id="PT-GLP-C-1234ABCD-1"))
    tokens.put_token(glp)

    # Then the card is GLP's at the stations, and nobody's conflict
    assert WhitelistAuthority().authorize(CARD).token.party_id == "GLP"
    claim = table("tokens").get_item(Key={"pk": f"IDTAG#{CARD}", "sk": "CLAIM"})["Item"]
    assert claim["owner"] == "PT/GLP"
    assert dispatch("tokens.conflicts", {})["count"] == 0
