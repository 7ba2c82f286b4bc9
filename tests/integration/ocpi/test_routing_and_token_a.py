"""Token A's scope and the routing headers through the full request plumbing (issue #17 items 1, 3):
the answer travels in the envelope with its OCPI status and HTTP code, and nothing is written."""

from __future__ import annotations

import pytest

from mobie_hub.core.dynamodb import table
from tests.support.parties import Party
from tests.support.tokens import rfid_token

RFID_URL = "/ocpi/2.2.1/tokens/PT/EDP/04A1B2C3D4E5F6"


def stored_tokens() -> list[dict]:
    return [i for i in table("tokens").scan()["Items"] if i["sk"] == "TOKEN"]  # tests only


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/ocpi/2.2.1/locations"),
        ("GET", "/ocpi/2.2/sessions"),
        ("GET", "/ocpi/2.2.1/hubclientinfo"),
        ("POST", "/ocpi/2.2.1/commands/STOP_SESSION"),
        ("PUT", RFID_URL),
    ],
)
def test_token_a_on_a_functional_module_is_401_in_the_envelope(client, invited: Party, method, path):
    # OCPI 2.2.1 transport_and_format §4.1.3: token A beyond credentials/versions SHALL be HTTP 401.
    stop = {"response_url": "https://emsp.test/r", "session_id": "S"}
    body = {"POST": stop, "PUT": rfid_token()}.get(method)
    response = client.request(method, path, json=body, headers=invited.headers)
    assert response.status_code == 401, response.text
    assert response.json()["status_code"] == 2000 and "Token A" in response.json()["status_message"]
    assert stored_tokens() == []


def test_token_a_still_opens_versions_and_credentials(client, invited: Party):
    assert client.get("/ocpi/versions", headers=invited.headers).status_code == 200
    assert client.get("/ocpi/2.2.1/details", headers=invited.headers).status_code == 200


def test_a_push_addressed_to_another_party_is_an_unknown_receiver_and_writes_nothing(client, emsp: Party):
    headers = {**emsp.headers, "OCPI-to-country-code": "PT", "OCPI-to-party-id": "GLP"}
    response = client.put(RFID_URL, json=rfid_token(), headers=headers)
    # status_codes.asciidoc: 4001 "Unknown receiver (TO address is unknown)"; the request reached the
    # OCPI layer, so no HTTP error
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status_code"] == 4001 and "PT/GLP" in body["status_message"] and "data" not in body
    assert stored_tokens() == []


def test_a_get_addressed_to_another_party_is_an_unknown_receiver(client, emsp: Party):
    headers = {**emsp.headers, "OCPI-to-country-code": "NL", "OCPI-to-party-id": "MOB"}
    assert client.get("/ocpi/2.2.1/locations", headers=headers).json()["status_code"] == 4001


@pytest.mark.parametrize(
    "routing",
    [{}, {"OCPI-to-country-code": "PT", "OCPI-to-party-id": "MOB"}, {"OCPI-to-country-code": "pt"}],
)
def test_requests_to_the_hub_or_without_to_headers_are_served(client, emsp: Party, routing):
    response = client.put(RFID_URL, json=rfid_token(), headers={**emsp.headers, **routing})
    assert response.status_code == 201 and response.json()["status_code"] == 1000
