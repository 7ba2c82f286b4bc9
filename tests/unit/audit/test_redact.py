"""Redaction: what an audit record may never hold (mobie_hub.audit.redact)."""

from __future__ import annotations

import json

from mobie_hub.audit import redact
from mobie_hub.audit.redact import REDACTED, redact_body

TOKEN = "5f0c8a8e-3b1e-4bb5-9d6c-1f2a3b4c5d6e"


def test_the_token_of_a_credentials_body_is_redacted_and_the_rest_kept():
    # Given a credentials answer in the OCPI envelope
    body = {
        "data": {"token": TOKEN, "url": "https://emsp.example/versions", "roles": []},
        "status_code": 1000,
    }
    # When it is redacted as a credentials message
    text, cut = redact_body(json.dumps(body), credentials=True)
    # Then the token is gone and everything else is there
    assert TOKEN not in text and not cut
    assert json.loads(text) == {**body, "data": {**body["data"], "token": REDACTED}}


def test_a_token_field_outside_credentials_is_data_not_a_secret():
    # Given a START_SESSION command: its "token" is the EMSP's Token object, not a credential
    body = {"token": {"uid": "04A1B2C3D4E5F6", "type": "RFID"}, "location_id": "LSB-00175"}
    text, _ = redact_body(body)
    assert json.loads(text) == body


def test_password_fields_and_the_ocpp_authorization_key_are_redacted_anywhere():
    # Given an OCPP ChangeConfiguration setting the station's Basic password, and a nested password
    change = [2, "m1", "ChangeConfiguration", {"key": "AuthorizationKey", "value": "0123456789abcdef"}]
    nested = {
        "configurationKey": [{"key": "AuthorizationKey", "readonly": False, "value": "s3cr3t-pass"}],
        "station": {"Password": "hunter2-hunter2"},
    }
    for message in (change, nested):
        text, _ = redact_body(message)
        # Then neither value survives
        assert "0123456789abcdef" not in text and "s3cr3t-pass" not in text and "hunter2" not in text
        assert REDACTED in text


def test_a_known_token_is_scrubbed_wherever_it_appears():
    # Given a body that echoes the caller's own token in a free-text field
    text, _ = redact_body({"message": f"unknown token {TOKEN}"}, known=[TOKEN, "short"])
    assert TOKEN not in text and REDACTED in text


def test_a_body_that_is_not_json_keeps_its_text_without_secret_fields():
    raw = b'{"token": "' + TOKEN.encode() + b'", "url": broken'
    text, _ = redact_body(raw, credentials=True)
    assert TOKEN not in text and "broken" in text


def test_a_huge_body_is_cut_and_marked(monkeypatch):
    monkeypatch.setattr(redact, "MAX_BODY_CHARS", 50)
    text, cut = redact_body({"data": "x" * 500})
    assert cut and len(text) == 50


def test_no_body_is_none():
    assert redact_body(b"") == (None, False)


def test_a_credentials_object_loses_its_token_whatever_module_it_travels_in():
    # Given the hub's credentials POSTed to a party whose credentials URL names no module
    body = {"token": TOKEN, "url": "https://hub.example/ocpi/versions", "roles": [{"role": "HUB"}]}
    text, _ = redact_body({"data": body})
    assert TOKEN not in text and json.loads(text)["data"]["url"] == body["url"]
