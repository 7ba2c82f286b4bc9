"""Who holds an idTag (issue #12, finding 1): never the party with the latest ``last_updated``; a valid
token of another registered EMSP blocks a PUT, a PATCH and a pull sync; at the stations an ambiguous
idTag fails closed and tokens of EMSPs that are not registered count as unknown."""

from __future__ import annotations

import pytest

from mobie_hub.core.errors import IdTagConflict
from mobie_hub.core.models import TokenType, partial_model
from mobie_hub.tokens import receiver as token_receiver
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.repository import TokenKey
from mobie_hub.tokens.rules import AuthorizationStatus, other_valid_owners, resolve_id_tag
from mobie_hub.tokens.sync import reconcile
from tests.support.fake_tokens import FakeTokenStore
from tests.support.tokens import rfid_token

UID = "04A1B2C3D4E5F6"
GLP_KEY = TokenKey("PT", "GLP", TokenType.RFID, UID)


def edp(**overrides) -> Token:
    return Token.model_validate(rfid_token(**overrides))


def glp(**overrides) -> Token:
    return Token.model_validate(rfid_token(party_id="GLP", contract_id="PT-GLP-C-1234ABCD-1", **overrides))


@pytest.fixture
def store() -> FakeTokenStore:
    """EDP holds the card; EDP and GLP are registered."""
    fake = FakeTokenStore()
    fake.registered = {"PT/EDP", "PT/GLP"}
    fake.put_token(edp())
    return fake


# --- resolve_id_tag: rules as data -----------------------------------------------------------------
BOTH = {"PT/EDP", "PT/GLP"}
RESOLUTIONS = [
    # (candidates, registered owners, expected owner or None, status, conflict)
    ([], BOTH, None, "Invalid", ()),
    ([edp()], BOTH, "EDP", "Accepted", ()),
    ([edp(valid=False)], BOTH, "EDP", "Blocked", ()),
    ([edp()], {"PT/GLP"}, None, "Invalid", ()),  # EDP unregistered: its card is unknown
    ([edp(), glp(last_updated="2025-01-01T00:00:00Z")], BOTH, None, "Invalid", ("PT/EDP", "PT/GLP")),
    ([edp(), glp()], {"PT/EDP"}, "EDP", "Accepted", ()),  # GLP unregistered: no conflict
    ([edp(valid=False, last_updated="2025-01-01T00:00:00Z"), glp()], BOTH, "GLP", "Accepted", ()),
]


@pytest.mark.parametrize(("candidates", "registered", "owner", "status", "conflict"), RESOLUTIONS)
def test_resolve_id_tag(candidates, registered, owner, status, conflict):
    resolution = resolve_id_tag(candidates, registered)

    assert (resolution.token.party_id if resolution.token else None) == owner
    assert resolution.status is AuthorizationStatus(status)
    assert resolution.conflict == conflict


def test_an_invalid_token_conflicts_with_nobody():
    assert other_valid_owners(glp(valid=False), [edp()]) == set()
    assert other_valid_owners(glp(), [edp(), glp()]) == {"PT/EDP"}
    assert other_valid_owners(edp(), [edp()]) == set()


# --- receiver ---------------------------------------------------------------------------------------
def test_a_put_of_a_card_another_emsp_holds_is_refused_and_nothing_is_stored(store):
    with pytest.raises(IdTagConflict) as refused:
        token_receiver.put(glp(last_updated="2025-01-01T00:00:00Z"), GLP_KEY, store=store)

    assert refused.value.field == "uid" and UID in refused.value.message
    assert "PT/EDP" not in refused.value.message  # the holder's customers are its own business
    assert [s.token.party_id for s in store.items.values()] == ["EDP"]


def test_the_card_of_an_unregistered_emsp_may_be_taken(store):
    store.registered = {"PT/GLP"}
    assert token_receiver.put(glp(), GLP_KEY, store=store) is True


def test_an_invalid_token_on_anothers_card_is_stored_but_patching_it_valid_is_refused(store):
    assert token_receiver.put(glp(valid=False), GLP_KEY, store=store) is True

    body = partial_model(Token).model_validate({"valid": True, "last_updated": "2024-05-01T00:00:00Z"})
    with pytest.raises(IdTagConflict):
        token_receiver.patch(body, GLP_KEY, store=store)
    assert store.get_token(GLP_KEY).token.valid is False


def test_the_holder_replaces_its_own_token_with_one_query(store):
    store.queries = 0
    created = token_receiver.put(edp(visual_number="EDP-9"), TokenKey.of(edp()), store=store)

    assert created is False and store.queries == 1


def test_the_write_guard_refuses_even_when_the_query_missed_the_holder(store, monkeypatch):
    # The idTag index is eventually consistent: the claim written with the token is the guard
    monkeypatch.setattr(store, "find_all_by_id_tag", lambda id_tag: [])
    with pytest.raises(IdTagConflict):
        token_receiver.put(glp(), GLP_KEY, store=store)


# --- pull sync --------------------------------------------------------------------------------------
def test_the_sync_reports_a_conflicting_token_and_does_not_import_it(store):
    listed = [rfid_token(party_id="GLP", contract_id="PT-GLP-C-1234ABCD-1")]
    report = reconcile("PT", "GLP", listed, store=store)

    assert report.ids["conflict"] == [f"RFID/{UID}"]
    assert "idTag" in report.reasons[f"RFID/{UID}"]
    assert report.counts["added"] == 0
    assert store.get_token(GLP_KEY) is None
