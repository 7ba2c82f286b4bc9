"""Station passwords: salted scrypt hashes, constant-time checks, HTTP Basic parsing (RFC 7617)."""

from __future__ import annotations

import base64

import pytest

from mobie_hub.core.errors import InvalidRequest
from mobie_hub.ocpp.station_auth import (
    basic_header,
    hash_password,
    parse_basic,
    password_bytes,
    verify_password,
)

PASSWORD = b"correct-horse-battery"


def test_a_hash_verifies_its_password_only_and_is_salted():
    stored = hash_password(PASSWORD)

    assert stored.startswith("scrypt$16384$8$1$")
    assert verify_password(PASSWORD, stored)
    assert not verify_password(b"correct-horse-batterY", stored)
    assert hash_password(PASSWORD) != stored
    assert PASSWORD.decode() not in stored


@pytest.mark.parametrize("stored", ["", "scrypt$1$2", "bcrypt$16384$8$1$AAAA$AAAA", "scrypt$x$8$1$AAAA$AAAA"])
def test_a_malformed_stored_hash_never_verifies(stored):
    assert not verify_password(PASSWORD, stored)


def test_basic_credentials_split_at_the_first_colon_and_keep_binary_passwords():
    binary = bytes(range(16)) + b":x"
    header = "Basic " + base64.b64encode(b"LSB-00175:" + binary).decode()

    assert parse_basic(header) == ("LSB-00175", binary)
    assert parse_basic(basic_header("LSB-00175", "p:w")) == ("LSB-00175", b"p:w")


@pytest.mark.parametrize(
    "header", [None, "", "Bearer abc", "Basic", "Basic !!!", "Basic " + base64.b64encode(b"nocolon").decode()]
)
def test_anything_but_basic_credentials_is_no_credential(header):
    assert parse_basic(header) is None


def test_passwords_are_16_to_40_bytes_as_text_or_hex():
    assert password_bytes("a" * 16) == b"a" * 16
    assert password_bytes("00" * 20, hex_encoded=True) == bytes(20)
    for bad, hex_encoded in (("a" * 15, False), ("a" * 41, False), ("zz" * 16, True), ("00" * 15, True)):
        with pytest.raises(InvalidRequest, match="password"):
            password_bytes(bad, hex_encoded=hex_encoded)
