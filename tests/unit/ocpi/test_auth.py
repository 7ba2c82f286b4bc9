"""Authorization header parsing: base64 first, plain accepted, malformed refused."""

from __future__ import annotations

import base64

import pytest

from mobie_hub.core.context import Caller
from mobie_hub.core.errors import Unauthenticated
from mobie_hub.ocpi.auth import authenticate, token_candidates

TOKEN = "0f2c7b1e-5d0a-4b7e-9a3c-1b2c3d4e5f60"
CALLER = Caller("PARTY#EMSP#PT#EDP", "EMSP", "PT", "EDP", "C")


def encoded(token: str) -> str:
    return base64.b64encode(token.encode()).decode()


def test_base64_token_is_decoded():
    assert token_candidates(f"Token {encoded(TOKEN)}")[0] == TOKEN


def test_plain_uuid_token_is_never_mistaken_for_base64():
    assert token_candidates(f"Token {TOKEN}") == [TOKEN]


def test_scheme_is_case_insensitive_and_whitespace_tolerated():
    assert token_candidates(f"  token   {encoded(TOKEN)} ")[0] == TOKEN


@pytest.mark.parametrize("header", [None, "", "Token", "Token   ", "Bearer abc", "Basic dXNlcjpwdw=="])
def test_malformed_headers_are_unauthenticated(header):
    with pytest.raises(Unauthenticated):
        token_candidates(header)


def test_authenticate_finds_the_token_in_either_form():
    lookup = {TOKEN: CALLER}.get
    assert authenticate(f"Token {encoded(TOKEN)}", lookup) is CALLER
    assert authenticate(f"Token {TOKEN}", lookup) is CALLER


def test_authenticate_refuses_an_unknown_token():
    with pytest.raises(Unauthenticated):
        authenticate(f"Token {encoded('other')}", {TOKEN: CALLER}.get)
