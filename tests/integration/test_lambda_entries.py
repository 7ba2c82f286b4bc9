"""The Lambda entries themselves: API Gateway REST events through Mangum into the module apps."""

from __future__ import annotations

import base64
import json

from tests.support.events import load_event
from tests.support.handlers import FakeContext, lambda_module
from tests.support.parties import Party


def invoke(name: str, event: dict) -> dict:
    return lambda_module(name).handler(event, FakeContext())


def test_versions_lambda_answers_an_api_gateway_event(emsp: Party):
    token_b64 = base64.b64encode(emsp.token.encode()).decode()
    event = load_event("apigw/ocpi_get_versions.json", token_b64=token_b64)

    response = invoke("versions", event)

    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["status_code"] == 1000
    assert body["data"][0]["url"] == "https://hub.test/ocpi/2.2.1/details"
    headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
    assert headers["x-request-id"] == "1a8e2a9e-6f0c-4b3e-9d7b-3e0f4f3c2a11"
    assert headers["x-correlation-id"] == "7c1d9f2e-0b4a-4c8e-8f3a-5d6e7f809a12"


def test_versions_lambda_refuses_an_unknown_token_with_401(aws):
    event = load_event("apigw/ocpi_get_versions.json", token_b64=base64.b64encode(b"nope").decode())

    response = invoke("versions", event)

    assert response["statusCode"] == 401
    assert json.loads(response["body"])["status_code"] == 2000


def test_a_module_lambda_answers_paths_of_other_modules_with_404_in_the_envelope(emsp: Party):
    token_b64 = base64.b64encode(emsp.token.encode()).decode()
    event = load_event("apigw/ocpi_get_versions.json", token_b64=token_b64)
    event["path"] = event["requestContext"]["path"] = "/ocpi/2.2/nonsense"

    response = invoke("versions", event)

    assert response["statusCode"] == 404
    assert json.loads(response["body"])["status_code"] == 2000


def test_admin_lambda_dispatches_operations(aws):
    result = invoke("admin", {"operation": "status", "payload": {}})
    assert result["ok"] is True
    assert result["result"]["hub"] == "PT/MOB"
