"""The binding in AWS: API Gateway puts the verified client certificate in the event
(requestContext.identity.clientCert); the credentials Lambda (Mangum) checks it against the party."""

from __future__ import annotations

import base64
import json

import pytest

from mobie_hub.core.certificates import identity_from_pem
from mobie_hub.core.settings import get_settings
from mobie_hub.local import certs
from mobie_hub.parties import registration
from mobie_hub.parties.party import PartyRef
from tests.support.events import load_event
from tests.support.handlers import FakeContext, lambda_module


@pytest.fixture(scope="module")
def pems(tmp_path_factory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("lambda-pki")
    certs.init(directory, ["127.0.0.1"])
    return {
        pid: certs.issue_client(directory, "EMSP", "PT", pid).cert_path.read_text() for pid in ("EDP", "GLP")
    }


def event(token: str, pem: str | None) -> dict:
    body = load_event(
        "apigw/ocpi_get_credentials_mtls.json",
        token_b64=base64.b64encode(token.encode()).decode(),
        client_cert_pem=json.dumps(pem or "")[1:-1],
    )
    if pem is None:
        del body["requestContext"]["identity"]["clientCert"]
    return body


def invoke(payload: dict) -> tuple[int, dict]:
    response = lambda_module("credentials").handler(payload, FakeContext())
    return response["statusCode"], json.loads(response["body"])


@pytest.fixture
def token_a(aws, pems) -> str:
    _, token = registration.invite(
        PartyRef(country_code="PT", party_id="EDP"), cert=identity_from_pem(pems["EDP"])
    )
    return token


def test_the_bound_certificate_passes(token_a, pems):
    status, body = invoke(event(token_a, pems["EDP"]))
    assert status == 200 and body["data"]["token"] == token_a


def test_another_partys_certificate_is_403(token_a, pems):
    status, body = invoke(event(token_a, pems["GLP"]))
    assert status == 403 and body["status_code"] == 2000
    assert "not registered" in body["status_message"]


def test_no_certificate_is_403_when_the_party_has_one_bound_or_one_is_required(aws, token_a, monkeypatch):
    # issue #12: a party with a bound certificate must present it, even with the switch off
    status, body = invoke(event(token_a, None))
    assert status == 403 and "certificates bound" in body["status_message"]
    _, unbound = registration.invite(PartyRef(country_code="PT", party_id="GLP"))
    assert invoke(event(unbound, None))[0] == 200  # nothing bound, not required: a plain-HTTP local setup
    monkeypatch.setenv("MOBIE_REQUIRE_CLIENT_CERT", "true")
    get_settings.cache_clear()
    status, body = invoke(event(token_a, None))
    assert status == 403 and "client certificate" in body["status_message"]
