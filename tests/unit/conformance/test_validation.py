"""Validation edges of the OCPI models: lengths, enums, DateTimes, numbers, unknown fields."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from mobie_hub.cdrs.models import Cdr
from mobie_hub.core.models import GeoLocation, Price, dump_ocpi
from mobie_hub.core.versions import Endpoint, ModuleID, Version
from mobie_hub.locations.models import Hours, Location, PublishTokenType
from mobie_hub.parties.models import Credentials
from mobie_hub.tariffs.models import PriceComponent
from mobie_hub.tokens.models import Token
from tests.unit.conformance.ocpi_json import load


def _error_types(model, data) -> set[tuple[str, str]]:
    with pytest.raises(ValidationError) as rejection:
        model.model_validate(data)
    return {(".".join(map(str, e["loc"])), e["type"]) for e in rejection.value.errors()}


@pytest.mark.parametrize(
    ("field", "limit"),
    [("uid", 36), ("contract_id", 36), ("issuer", 64), ("visual_number", 64), ("group_id", 36)],
)
def test_over_long_strings_are_rejected(field, limit):
    # Given a Token whose field is one character longer than OCPI allows
    token = load("token") | {field: "X" * (limit + 1)}

    # When it is validated / Then exactly that field is too long
    assert _error_types(Token, token) == {(field, "string_too_long")}
    assert Token.model_validate(token | {field: "X" * limit})


def test_cistrings_take_printable_ascii_only():
    # Given a Token uid with a non-ASCII letter (CiString, types §16.1)
    token = load("token") | {"uid": "04A1B2Ç3"}

    # Then it is rejected
    assert _error_types(Token, token) == {("uid", "value_error")}


@pytest.mark.parametrize(("field", "value"), [("type", "NFC"), ("whitelist", "always"), ("type", "")])
def test_unknown_enum_values_are_rejected(field, value):
    # Given a Token with a value its enum does not have (OCPI enums are case-sensitive)
    token = load("token") | {field: value}

    # Then it is rejected
    assert _error_types(Token, token) == {(field, "enum")}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2015-06-29T20:39:09", datetime(2015, 6, 29, 20, 39, 9, tzinfo=UTC)),
        ("2015-06-29T20:39:09Z", datetime(2015, 6, 29, 20, 39, 9, tzinfo=UTC)),
        ("2015-06-29T22:39:09+02:00", datetime(2015, 6, 29, 20, 39, 9, tzinfo=UTC)),
    ],
)
def test_datetimes_are_utc_and_naive_ones_are_taken_as_utc(given, expected):
    # Given a Token last updated at a time with, without or with another timezone designator
    token = Token.model_validate(load("token") | {"last_updated": given})

    # Then it holds that instant in UTC and emits it with Z
    assert token.last_updated == expected
    assert token.last_updated.tzinfo == UTC
    assert dump_ocpi(token)["last_updated"] == "2015-06-29T20:39:09Z"


def test_fractional_seconds_survive_with_z():
    # Given a DateTime with fractional seconds (types §16.2 allows them)
    token = Token.model_validate(load("token") | {"last_updated": "2016-12-29T17:45:09.2"})

    # Then they are kept, in UTC with Z
    assert dump_ocpi(token)["last_updated"] == "2016-12-29T17:45:09.2Z"


def test_prices_are_exact_decimals():
    # Given prices as JSON numbers that binary floats cannot hold exactly
    price = Price.model_validate_json('{"excl_vat": 0.1, "incl_vat": 0.123}')
    component = PriceComponent.model_validate({"type": "ENERGY", "price": 0.2, "step_size": 1})

    # Then they are Decimals with exactly the written value, and arithmetic stays exact
    assert price.excl_vat == Decimal("0.1")
    assert price.incl_vat == Decimal("0.123")
    assert price.excl_vat + component.price == Decimal("0.3")
    # and they serialise as JSON numbers again
    assert dump_ocpi(price) == {"excl_vat": 0.1, "incl_vat": 0.123}


def test_unknown_fields_are_dropped_but_mobie_fields_are_kept():
    # Given a Location with a field OCPI does not define and MOBI.E's voltage level
    location = Location.model_validate(load("location") | {"x_vendor_flag": True})

    # When it is serialised
    output = dump_ocpi(location)

    # Then the unknown field is gone and the MOBI.E field is there
    assert "x_vendor_flag" not in output
    assert output["mobie_voltage_level"] == "BTN"


@pytest.mark.parametrize("latitude", ["38.7198", "3.71983712", "138.719837", "38,719837"])
def test_coordinates_follow_the_spec_pattern(latitude):
    # Given a latitude with too few or too many decimals, too many digits, or a comma
    # Then it is rejected (mod_locations §8.4.13: -?[0-9]{1,2}\.[0-9]{5,7})
    assert _error_types(GeoLocation, {"latitude": latitude, "longitude": "-9.145437"}) == {
        ("latitude", "string_pattern_mismatch")
    }


def test_credentials_token_has_no_whitespace():
    # Given a credentials token with a space (credentials §7.3.1: U+0021 to U+007E only)
    credentials = {"token": "abc def", "url": "https://emsp.example.pt/ocpi/versions", "roles": []}

    # Then the token is rejected, and so is an empty roles list (cardinality +)
    assert _error_types(Credentials, credentials) == {
        ("token", "string_pattern_mismatch"),
        ("roles", "too_short"),
    }


def test_hours_need_regular_hours_unless_open_all_the_time():
    # Given opening hours that are not 24/7 and list no regular hours / Then they are rejected
    with pytest.raises(ValidationError, match="regular_hours"):
        Hours.model_validate({"twentyfourseven": False})
    assert Hours.model_validate({"twentyfourseven": True})


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ({"type": "RFID"}, "one of uid"),
        ({"uid": "123"}, "type SHALL"),
        ({"visual_number": "1"}, "issuer SHALL"),
    ],
)
def test_publish_token_rules(token, message):
    # Given a PublishTokenType that breaks one of the rules of mod_locations §8.4.20 / Then it is rejected
    with pytest.raises(ValidationError, match=message):
        PublishTokenType.model_validate(token)


def test_a_credit_cdr_names_the_cdr_it_credits():
    # Given a Credit CDR without credit_reference_id / Then it is rejected
    cdr = load("cdr_private_station") | {"credit": True}
    with pytest.raises(ValidationError, match="credit_reference_id"):
        Cdr.model_validate(cdr)
    assert Cdr.model_validate(cdr | {"credit_reference_id": "CDR-2024-000100"}).credit


def test_versions_and_modules_beyond_the_enums_are_accepted():
    # Given a peer that offers a newer version and a custom module (mod_versions §6.2.5.1)
    version = Version.model_validate({"version": "2.3.0", "url": "https://emsp.example.pt/ocpi/2.3.0"})
    custom = Endpoint.model_validate(
        {"identifier": "ptedp-tokens", "role": "SENDER", "url": "https://x.pt/t"}
    )
    known = Endpoint.model_validate({"identifier": "tokens", "role": "SENDER", "url": "https://x.pt/t"})

    # Then they parse; known values become enum members
    assert version.version == "2.3.0"
    assert custom.identifier == "ptedp-tokens"
    assert known.identifier is ModuleID.TOKENS


def test_dump_refuses_versions_without_a_known_shape():
    # Given a model / When asked for OCPI 2.1.1 or nonsense / Then it refuses instead of guessing
    token = Token.model_validate(load("token"))
    with pytest.raises(ValueError, match="2.1.1"):
        dump_ocpi(token, "2.1.1")
    with pytest.raises(ValueError):
        dump_ocpi(token, "3")
