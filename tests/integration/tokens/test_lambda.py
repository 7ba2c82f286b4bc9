"""The tokens Lambda entry: a real-shaped API Gateway PUT event through Mangum into the tokens app."""

from __future__ import annotations

import base64
import json

from mobie_hub.tokens.repository import find_by_id_tag
from tests.support.events import load_event
from tests.support.handlers import FakeContext, lambda_module
from tests.support.parties import Party, issue
from tests.support.tokens import registered_emsp


def put_event(party: Party) -> dict:
    return load_event("apigw/ocpi_put_token.json", token_b64=base64.b64encode(party.token.encode()).decode())


def test_the_tokens_lambda_stores_a_pushed_token(emsp: Party):
    registered_emsp("EDP")
    response = lambda_module("tokens").handler(put_event(emsp), FakeContext())

    assert response["statusCode"] == 201
    assert json.loads(response["body"])["status_code"] == 1000
    assert find_by_id_tag("04A1B2C3D4E5F6").party_id == "EDP"


def test_the_tokens_lambda_refuses_another_partys_url_with_403(aws):
    response = lambda_module("tokens").handler(put_event(issue("C", party_id="GLP")), FakeContext())

    assert response["statusCode"] == 403
    assert json.loads(response["body"])["status_code"] == 2000
    assert find_by_id_tag("04A1B2C3D4E5F6") is None
