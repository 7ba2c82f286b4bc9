"""The parties repositories under moto: a party alone (parties.repository) or with its token items in one
transaction (parties.credentials_repository), revisions, listing."""

from __future__ import annotations

import pytest

from mobie_hub.core import credentials_tokens
from mobie_hub.core.dynamodb import table
from mobie_hub.core.errors import ConflictingWrite, NotFound
from mobie_hub.parties import credentials_repository
from mobie_hub.parties import repository as parties
from mobie_hub.parties.models import ConnectionStatus
from mobie_hub.parties.party import Party, PartyRef


def invited(party_id: str = "EDP") -> Party:
    return Party(country_code="PT", party_id=party_id, registration="INVITED", connection_status="PLANNED")


def token_item(party: Party, token: str, kind: str = "A") -> dict:
    return credentials_tokens.token_item_for_hash(
        credentials_tokens.hash_token(token),
        role="EMSP",
        country_code=party.country_code,
        party_id=party.party_id,
        kind=kind,
        cert_fingerprints=["ab" * 32],
    )


def test_a_party_and_its_token_are_written_together_and_read_back(aws):
    party = invited()
    saved = credentials_repository.save(
        party, expected_revision=None, new_tokens=[token_item(party, "token-a")]
    )
    assert saved.revision == 1
    assert parties.get_party(PartyRef(country_code="pt", party_id="edp")) == saved
    caller = credentials_tokens.find_caller("token-a")
    assert caller.party_key == "PARTY#EMSP#PT#EDP"
    assert caller.cert_fingerprints == frozenset({"ab" * 32})
    assert caller.token == "token-a"


def test_a_stale_revision_writes_nothing(aws):
    party = parties.save(invited(), expected_revision=None)
    parties.save(party, expected_revision=1)  # someone else wrote: revision 2
    with pytest.raises(ConflictingWrite):
        credentials_repository.save(party, expected_revision=1, new_tokens=[token_item(party, "lost")])
    assert credentials_tokens.find_caller("lost") is None  # the token of the losing write is not there
    assert parties.get_party(party.key).revision == 2


def test_creating_an_existing_party_is_a_conflict(aws):
    parties.save(invited(), expected_revision=None)
    with pytest.raises(ConflictingWrite):
        parties.save(invited(), expected_revision=None)


def test_a_consumed_token_must_exist_so_a_replay_cannot_win(aws):
    party = credentials_repository.save(
        invited(), expected_revision=None, new_tokens=[token_item(invited(), "token-a")]
    )
    credentials_repository.save(
        party, expected_revision=1, consumed_token_hashes=[credentials_tokens.hash_token("token-a")]
    )
    assert credentials_tokens.find_caller("token-a") is None
    with pytest.raises(ConflictingWrite):
        credentials_repository.save(
            party, expected_revision=2, consumed_token_hashes=[credentials_tokens.hash_token("token-a")]
        )


def test_list_parties_uses_the_index_in_key_order(aws):
    for pid in ("GLP", "EDP", "IBD"):
        credentials_repository.save(
            invited(pid), expected_revision=None, new_tokens=[token_item(invited(pid), f"t-{pid}")]
        )
    assert [p.party_id for p in parties.list_parties()] == ["EDP", "GLP", "IBD"]


def test_the_party_token_is_stored_usable_and_hub_tokens_only_hashed(aws):
    party = invited().model_copy(update={"party_token": "party-secret", "hub_token_hash": "x"})
    credentials_repository.save(party, expected_revision=None, new_tokens=[token_item(party, "hub-secret")])
    dump = str(table("parties").scan()["Items"])  # a test may scan; request paths never do
    assert "party-secret" in dump and "hub-secret" not in dump
    assert parties.get_party(party.key).party_token == "party-secret"


def test_require_party_names_the_missing_party(aws):
    with pytest.raises(NotFound, match="EMSP PT/XYZ"):
        parties.require_party(PartyRef(country_code="PT", party_id="XYZ"))


def test_a_party_alone_is_one_conditional_write_and_a_stale_one_loses(aws):
    # A connection status (the push Lambdas) writes the party alone: no transaction, no token items.
    party = parties.save(invited(), expected_revision=None)
    moved = parties.save(
        party.model_copy(update={"connection_status": ConnectionStatus.CONNECTED}), expected_revision=1
    )
    with pytest.raises(ConflictingWrite, match="changed while this request"):
        parties.save(
            party.model_copy(update={"connection_status": ConnectionStatus.OFFLINE}), expected_revision=1
        )
    assert parties.get_party(party.key) == moved
    assert moved.revision == 2
    assert [item["sk"] for item in table("parties").scan()["Items"]] == ["PARTY"]  # nothing but the party


def test_a_token_a_is_deleted_at_the_last_failed_registration(aws):
    party = credentials_repository.save(
        invited(), expected_revision=None, new_tokens=[token_item(invited(), "a")]
    )
    counts = [
        credentials_repository.record_failed_registration("a")
        for _ in range(credentials_tokens.MAX_FAILED_REGISTRATIONS)
    ]
    assert counts == list(range(1, credentials_tokens.MAX_FAILED_REGISTRATIONS + 1))
    assert credentials_tokens.find_caller("a") is None
    assert credentials_repository.record_failed_registration("a") is None  # no longer a token A
    assert parties.get_party(party.key) == party
