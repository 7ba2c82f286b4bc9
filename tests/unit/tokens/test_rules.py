"""MOBI.E's token rules (profile §10, §12): every rule accepted and refused."""

from __future__ import annotations

import pytest

from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.identifiers import contract_id_for
from mobie_hub.core.models import TokenType, partial_model
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.rules import check_addressed, check_token, merge_patch, violations
from tests.support.tokens import app_token, rfid_token

OWNER = {"owner_country_code": "PT", "owner_party_id": "EDP"}


def fields_refused(body: dict, **owner: str) -> list[str]:
    return [v.field for v in violations(Token.model_validate(body), **(owner or OWNER))]


@pytest.mark.parametrize(
    "body",
    [
        rfid_token(),
        rfid_token(uid="04a1b2c3d4e5f6", country_code="pt", party_id="edp"),  # CiStrings: any case
        rfid_token(uid="A" * 20),  # the longest RFID uid an OCPP 1.6 idTag holds
        rfid_token(contract_id="PTEDPC1234ABCDJ"),  # eMA ID without separators
        rfid_token(contract_id="pt-edp-c-1234abcd-j"),
        rfid_token(valid=False),  # an invalidated token is still a valid object
        app_token(),
        app_token(type="AD_HOC_USER", uid="BDF21BCE-FC97-11E8-8EB2-F2801F1B9FD1"),
    ],
)
def test_tokens_that_follow_the_profile_are_accepted(body):
    # Given a token that follows every rule / When checked / Then nothing is refused
    token = Token.model_validate(body)
    assert violations(token, **OWNER) == []
    assert check_token(token, **OWNER) is token


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (rfid_token(country_code="ES"), "country_code"),
        # another party's token, with that party's own contract id: still not the sender's
        (rfid_token(party_id="GLP", contract_id=contract_id_for("GLP", "1234ABCD")), "party_id"),
        (rfid_token(type="OTHER"), "type"),
        (app_token(uid="12345678905880"), "uid"),  # APP_USER uid must be a UUID
        (app_token(type="AD_HOC_USER", uid="bdf21bce-fc97-11e8-8eb2-f2801f1b9fd"), "uid"),  # one digit short
        (app_token(uid="bdf21bce_fc97_11e8_8eb2_f2801f1b9fd1"), "uid"),
        (rfid_token(uid="A" * 21), "uid"),  # longer than an OCPP 1.6 idTag
        (rfid_token(uid="   "), "uid"),
        (rfid_token(contract_id="DE8ACC12E46L89"), "contract_id"),  # not an eMA ID of MOBI.E's format
        (rfid_token(contract_id="PT-EDP-C-1234ABCD-K"), "contract_id"),  # wrong check digit
        (rfid_token(contract_id=contract_id_for("GLP", "1234ABCD")), "contract_id"),  # another provider
        (rfid_token(contract_id=contract_id_for("EDP", "1234ABCD", country_code="ES")), "contract_id"),
        (rfid_token(issuer=" "), "issuer"),
        (rfid_token(whitelist="ALLOWED"), "whitelist"),
        (rfid_token(whitelist="NEVER"), "whitelist"),
        (rfid_token(whitelist="ALLOWED_OFFLINE"), "whitelist"),
        (rfid_token(energy_contract=None), "energy_contract"),
        (rfid_token(energy_contract={"supplier_name": "EDPC"}), "energy_contract.contract_id"),
        (
            rfid_token(energy_contract={"supplier_name": "EDPC", "contract_id": "0123456789"}),
            "energy_contract.contract_id",
        ),
        (
            rfid_token(energy_contract={"supplier_name": "EDPC", "contract_id": "ct_1"}),
            "energy_contract.contract_id",
        ),
        (
            rfid_token(energy_contract={"supplier_name": "", "contract_id": "CT_1"}),
            "energy_contract.supplier_name",
        ),
    ],
)
def test_each_rule_refuses_what_breaks_it(body, field):
    # Given a token that breaks exactly one rule
    # Then that rule, and only it, is reported, and check_token raises 2001 naming the field
    assert fields_refused(body) == [field]
    with pytest.raises(InvalidRequest) as refused:
        check_token(Token.model_validate(body), **OWNER)
    assert refused.value.field == field
    assert refused.value.message.startswith(f"{field}: ")


def test_a_foreign_sender_cannot_store_a_token_outside_portugal():
    # Given a token whose owner would be ES/EDP (and sent by ES/EDP) / Then country_code must be PT
    body = rfid_token(country_code="ES")
    assert fields_refused(body, owner_country_code="ES", owner_party_id="EDP") == ["country_code"]


def test_every_broken_rule_is_named_first_one_first():
    # Given a token that breaks three rules / Then the message names them all, the first as the field
    token = Token.model_validate(rfid_token(whitelist="NEVER", issuer=" ", energy_contract=None))
    with pytest.raises(InvalidRequest) as refused:
        check_token(token, **OWNER)
    assert refused.value.field == "issuer"
    assert "whitelist: must be ALWAYS" in refused.value.message
    assert "energy_contract: is required" in refused.value.message


# --- the URL and the body name the same token ----------------------------------------------------
def test_the_body_must_be_the_token_the_url_names():
    token = Token.model_validate(rfid_token())
    url = {"country_code": "pt", "party_id": "edp", "uid": "04a1b2c3d4e5f6", "type": TokenType.RFID}
    check_addressed(token, **url)  # same token, other case: accepted

    for field, value in (
        ("country_code", "ES"),
        ("party_id", "GLP"),
        ("uid", "FFFF"),
        ("type", TokenType.APP_USER),
    ):
        with pytest.raises(InvalidRequest) as refused:
            check_addressed(token, **{**url, field: value})
        assert refused.value.field == field


# --- PATCH --------------------------------------------------------------------------------------
TokenPatch = partial_model(Token)


def test_a_patch_changes_only_what_it_carries():
    stored = Token.model_validate(rfid_token())
    merged = merge_patch(
        stored, TokenPatch.model_validate({"valid": False, "last_updated": "2024-05-01T00:00:00Z"})
    )
    assert merged.valid is False
    assert merged.last_updated.isoformat() == "2024-05-01T00:00:00+00:00"
    assert merged.model_dump(exclude={"valid", "last_updated"}) == stored.model_dump(
        exclude={"valid", "last_updated"}
    )


def test_a_patch_replaces_a_nested_object_whole_and_null_clears_an_optional_field():
    stored = Token.model_validate(rfid_token())
    body = {
        "energy_contract": {"supplier_name": "GALP"},
        "visual_number": None,
        "last_updated": "2024-05-01T00:00:00Z",
    }
    merged = merge_patch(stored, TokenPatch.model_validate(body))
    assert merged.energy_contract.model_dump() == {"supplier_name": "GALP", "contract_id": None}
    assert merged.visual_number is None


def test_a_patch_that_nulls_a_required_field_is_refused():
    stored = Token.model_validate(rfid_token())
    with pytest.raises(InvalidRequest) as refused:
        merge_patch(
            stored, TokenPatch.model_validate({"issuer": None, "last_updated": "2024-05-01T00:00:00Z"})
        )
    assert refused.value.field == "issuer"
