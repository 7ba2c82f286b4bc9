"""What a party sends is refused when it claims to come from the future or carries control characters
(issue #12, findings 1 and 10): one rule on the shared types, whatever module the object arrives by."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from mobie_hub.commands.models import StartSession
from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.models import MAX_FUTURE_SKEW, STORED_CONTEXT, partial_model
from mobie_hub.core.types import format_datetime, utcnow
from mobie_hub.locations.models import Location
from mobie_hub.sessions.models import Session
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.sync import reconcile
from tests.support.fake_tokens import FakeTokenStore
from tests.support.tokens import rfid_token


def ahead(delta: timedelta) -> str:
    return format_datetime(utcnow() + delta)


def problem_of(model, body: dict, **options) -> dict:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(body, **options)
    return raised.value.errors()[0]


@pytest.mark.parametrize("later", [None, MAX_FUTURE_SKEW + timedelta(minutes=1)], ids=["year 9999", "past the skew"])
def test_a_token_from_the_future_is_refused_naming_last_updated(later):
    # the date is made when the test runs, not when it is collected (a long run would make it the past)
    last_updated = "9999-12-31T23:59:59Z" if later is None else ahead(later)
    problem = problem_of(Token, rfid_token(last_updated=last_updated))

    assert problem["loc"] == ("last_updated",)
    assert "in the future" in problem["msg"]


def test_clock_skew_within_the_margin_is_accepted():
    token = Token.model_validate(rfid_token(last_updated=ahead(MAX_FUTURE_SKEW - timedelta(seconds=30))))
    assert token.valid


def test_a_patch_body_carries_the_same_rule():
    problem = problem_of(partial_model(Token), {"valid": False, "last_updated": "9999-12-31T23:59:59Z"})
    assert problem["loc"] == ("last_updated",)


def test_a_start_session_carrying_a_token_from_the_future_is_refused():
    body = {
        "response_url": "https://emsp.example/cmd/1",
        "token": rfid_token(last_updated="9999-12-31T23:59:59Z"),
        "location_id": "LSB-00175",
    }
    problem = problem_of(StartSession, body)
    assert problem["loc"] == ("token", "last_updated")


def test_a_stored_token_is_read_back_whatever_its_date():
    # Stored before the rule existed: the hub must still read it (and fail closed elsewhere), never crash
    token = Token.model_validate(rfid_token(last_updated="9999-12-31T23:59:59Z"), context=STORED_CONTEXT)
    assert token.last_updated.year == 9999


def test_the_hubs_own_objects_keep_plain_datetimes():
    # Sessions, Locations … are the hub's own: the rule is on what parties send, not on every date
    assert "_not_in_the_future" in repr(Token.model_fields["last_updated"].metadata)
    assert "_not_in_the_future" not in repr(Session.model_fields["last_updated"].metadata)
    assert "_not_in_the_future" not in repr(Location.model_fields["last_updated"].metadata)


def test_token_sync_rejects_a_listed_token_from_the_future():
    store = FakeTokenStore()

    report = reconcile("PT", "EDP", [rfid_token(last_updated="9999-12-31T23:59:59Z")], store=store)

    assert report.ids["rejected"] == ["RFID/04A1B2C3D4E5F6"]
    assert "last_updated" in report.reasons["RFID/04A1B2C3D4E5F6"]
    assert store.items == {}


@pytest.mark.parametrize("field", ["issuer", "visual_number", "contract_id", "uid"])
@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x1f"])
def test_control_characters_are_refused_naming_the_field(field, character):
    body = rfid_token(**{field: "EDP" + character + "1"})
    problem = problem_of(Token, body)
    assert problem["loc"][0] == field


def test_tab_and_newlines_stay_allowed_in_free_text():
    token = Token.model_validate(rfid_token(issuer="EDP\tComercial\r\nLisboa"))
    assert token.issuer.startswith("EDP\t")


def test_a_nul_in_a_response_url_is_refused():
    body = {"response_url": "https://emsp.example/\x00", "token": rfid_token(), "location_id": "LSB-00175"}
    assert problem_of(StartSession, body)["loc"] == ("response_url",)


def test_the_refusal_becomes_ocpi_2001_through_the_sync_parser():
    from mobie_hub.tokens.sync import _parse

    with pytest.raises(InvalidRequest) as raised:
        _parse(rfid_token(issuer="bad\x00"), "PT", "EDP")
    assert raised.value.field == "issuer"
