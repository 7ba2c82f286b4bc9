"""The tokens receiver logic against an in-memory store: ownership, PUT, PATCH, GET."""

from __future__ import annotations

import pytest

from mobie_hub.core import retry
from mobie_hub.core.errors import ConflictingWrite, Forbidden, InvalidRequest, UnknownToken
from mobie_hub.core.models import TokenType, partial_model
from mobie_hub.tokens import receiver as token_receiver
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.repository import TokenKey
from tests.support.fake_tokens import FakeTokenStore
from tests.support.tokens import rfid_token

KEY = TokenKey("PT", "EDP", TokenType.RFID, "04A1B2C3D4E5F6")
TokenPatch = partial_model(Token)


@pytest.fixture
def store() -> FakeTokenStore:
    return FakeTokenStore()


def patch_body(**fields) -> object:
    return TokenPatch.model_validate({"last_updated": "2024-05-01T00:00:00Z", **fields})


# --- ownership ----------------------------------------------------------------------------------
def test_an_emsp_owns_its_own_tokens_in_any_case():
    token_receiver.ensure_owner(
        caller_role="EMSP",
        caller_country_code="PT",
        caller_party_id="EDP",
        key=TokenKey("pt", "edp", TokenType.RFID, "X"),
    )


@pytest.mark.parametrize(
    ("role", "country_code", "party_id"),
    [("EMSP", "PT", "GLP"), ("EMSP", "ES", "EDP"), ("CPO", "PT", "EDP")],
)
def test_anyone_else_is_forbidden(role, country_code, party_id):
    with pytest.raises(Forbidden):
        token_receiver.ensure_owner(
            caller_role=role, caller_country_code=country_code, caller_party_id=party_id, key=KEY
        )


# --- PUT ----------------------------------------------------------------------------------------
def test_put_creates_then_replaces(store):
    assert token_receiver.put(Token.model_validate(rfid_token()), KEY, store=store) is True
    assert token_receiver.put(Token.model_validate(rfid_token(valid=False)), KEY, store=store) is False
    assert store.get_token(KEY).token.valid is False
    assert store.writes == 2


@pytest.mark.parametrize(
    "body",
    [rfid_token(uid="OTHER"), rfid_token(whitelist="ALLOWED"), rfid_token(energy_contract=None)],
)
def test_a_refused_put_stores_nothing(store, body):
    with pytest.raises(InvalidRequest):
        token_receiver.put(Token.model_validate(body), KEY, store=store)
    assert store.items == {} and store.writes == 0


def test_the_url_type_must_match_the_body(store):
    with pytest.raises(InvalidRequest) as refused:
        token_receiver.put(
            Token.model_validate(rfid_token()),
            TokenKey("PT", "EDP", TokenType.APP_USER, "04A1B2C3D4E5F6"),
            store=store,
        )
    assert refused.value.field == "type"


# --- GET ----------------------------------------------------------------------------------------
def test_get_returns_the_stored_token_or_unknown_token(store):
    with pytest.raises(UnknownToken):
        token_receiver.get(KEY, store=store)
    token_receiver.put(Token.model_validate(rfid_token()), KEY, store=store)
    assert (
        token_receiver.get(TokenKey("pt", "edp", TokenType.RFID, "04a1b2c3d4e5f6"), store=store).uid
        == "04A1B2C3D4E5F6"
    )


# --- PATCH --------------------------------------------------------------------------------------
def test_patch_of_an_unknown_token_is_unknown_token(store):
    with pytest.raises(UnknownToken, match="PUT it first"):
        token_receiver.patch(patch_body(valid=False), KEY, store=store)
    assert store.writes == 0


def test_patch_updates_the_stored_token(store):
    token_receiver.put(Token.model_validate(rfid_token()), KEY, store=store)
    merged = token_receiver.patch(patch_body(valid=False), KEY, store=store)
    assert merged.valid is False
    assert store.get_token(KEY).token == merged


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"whitelist": "NEVER"}, "whitelist"),
        ({"contract_id": "PT-GLP-C-1234ABCD-1"}, "contract_id"),
        ({"uid": "FFFF"}, "uid"),  # the body may not move the token to another key
        ({"type": "APP_USER"}, "type"),
        ({"energy_contract": None}, "energy_contract"),
        ({"valid": None}, "valid"),
    ],
)
def test_a_patch_whose_result_breaks_a_rule_stores_nothing(store, fields, field):
    token_receiver.put(Token.model_validate(rfid_token()), KEY, store=store)
    before = store.get_token(KEY)
    with pytest.raises(InvalidRequest) as refused:
        token_receiver.patch(patch_body(**fields), KEY, store=store)
    assert refused.value.field == field
    assert store.get_token(KEY) == before and store.writes == 1


def test_patch_retries_when_another_write_slips_in(store):
    token_receiver.put(Token.model_validate(rfid_token()), KEY, store=store)
    store.interfere = retry.ATTEMPTS - 1
    assert token_receiver.patch(patch_body(valid=False), KEY, store=store).valid is False


def test_patch_gives_up_with_a_conflict_after_its_attempts(store):
    token_receiver.put(Token.model_validate(rfid_token()), KEY, store=store)
    store.interfere = retry.ATTEMPTS
    with pytest.raises(ConflictingWrite):
        token_receiver.patch(patch_body(valid=False), KEY, store=store)
    assert store.get_token(KEY).token.valid is True
