"""OCPP idTags of tokens (profile §11 choice) and the Authorize status a token earns."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from mobie_hub.tokens.models import Token
from mobie_hub.tokens.rules import (
    AuthorizationStatus,
    authorization_status,
    derive_id_tag,
    id_tag_for,
    normalize_id_tag,
)
from tests.support.tokens import APP_UID, app_token, rfid_token

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def token(**overrides) -> Token:
    return Token.model_validate(rfid_token(**overrides))


# --- idTag --------------------------------------------------------------------------------------
def test_an_rfid_token_is_known_by_its_uid_upper_cased():
    assert id_tag_for(token(uid="04a1b2c3d4e5f6")) == "04A1B2C3D4E5F6"
    assert normalize_id_tag(" 04a1b2c3d4e5f6 ") == "04A1B2C3D4E5F6"


@pytest.mark.parametrize("type", ["APP_USER", "AD_HOC_USER"])
def test_a_generated_uid_gets_a_derived_id_tag_of_20_base32_characters(type):
    # Given an app token (36-character UUID uid) / Then its idTag fits OCPP 1.6's CiString20
    tag = id_tag_for(Token.model_validate(app_token(type=type)))
    assert re.fullmatch(r"[A-Z2-7]{20}", tag)
    assert normalize_id_tag(tag) == tag  # stable under the case normalisation stations may apply


def test_the_derived_id_tag_is_deterministic_and_case_insensitive():
    lower = Token.model_validate(app_token())
    upper = Token.model_validate(app_token(uid=APP_UID.upper(), country_code="pt", party_id="edp"))
    assert id_tag_for(lower) == id_tag_for(upper) == derive_id_tag("PT", "EDP", "APP_USER", APP_UID)


def test_the_derived_id_tag_depends_on_every_part_of_the_token_key():
    base = derive_id_tag("PT", "EDP", "APP_USER", APP_UID)
    others = {
        derive_id_tag("PT", "GLP", "APP_USER", APP_UID),
        derive_id_tag("ES", "EDP", "APP_USER", APP_UID),
        derive_id_tag("PT", "EDP", "AD_HOC_USER", APP_UID),
        derive_id_tag("PT", "EDP", "APP_USER", APP_UID.replace("d1", "d2")),
    }
    assert base not in others and len(others) == 4


def test_derived_id_tags_do_not_collide_over_many_tokens():
    # 100 bits per tag: 50 000 random-looking uids give 50 000 distinct tags
    import uuid

    tags = {derive_id_tag("PT", "EDP", "APP_USER", str(uuid.UUID(int=i))) for i in range(50_000)}
    assert len(tags) == 50_000


# --- Authorize ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("subject", "expires_at", "expected"),
    [
        (None, None, AuthorizationStatus.INVALID),
        (token(), None, AuthorizationStatus.ACCEPTED),
        (token(whitelist="ALLOWED"), None, AuthorizationStatus.ACCEPTED),
        (token(whitelist="ALLOWED_OFFLINE"), None, AuthorizationStatus.ACCEPTED),
        (token(whitelist="NEVER"), None, AuthorizationStatus.INVALID),
        (token(valid=False), None, AuthorizationStatus.BLOCKED),
        (token(valid=False, whitelist="NEVER"), None, AuthorizationStatus.INVALID),
        (token(), NOW, AuthorizationStatus.EXPIRED),
        (token(), NOW - timedelta(seconds=1), AuthorizationStatus.EXPIRED),
        (token(), NOW + timedelta(seconds=1), AuthorizationStatus.ACCEPTED),
        (token(valid=False), NOW - timedelta(days=1), AuthorizationStatus.BLOCKED),
    ],
)
def test_authorization_status(subject, expires_at, expected):
    assert authorization_status(subject, now=NOW, expires_at=expires_at) is expected


def test_authorization_values_are_ocpp_16_authorization_status_values():
    from ocpp.v16.enums import AuthorizationStatus as Ocpp16Status

    ocpp_values = {status.value for status in Ocpp16Status}
    assert {status.value for status in AuthorizationStatus} <= ocpp_values
