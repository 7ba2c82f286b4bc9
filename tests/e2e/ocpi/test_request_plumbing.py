"""Issue #17 items 1-3 over real sockets (the local hub, uvicorn on loopback): token A on a functional
module is HTTP 401, OCPI-to-* naming another party is 4001 with nothing written, and the message ids
come back exactly as sent."""

from __future__ import annotations

import uuid

import httpx
import pytest

from mobie_hub.parties.repository import get_party
from mobie_hub.tokens import repository as tokens
from mobie_hub.tokens.models import TokenType
from tests.support.parties import issue, register_receiver
from tests.support.tokens import rfid_token

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

CARD = "0E2E17A1"


def test_token_a_opens_versions_but_a_functional_module_answers_401(hub):
    token_a = issue("A", party_id="GLP")
    assert httpx.get(f"{hub.base_url}/ocpi/versions", headers=token_a.headers).status_code == 200
    # OCPI 2.2.1 transport_and_format §4.1.3: token A beyond credentials/versions SHALL be HTTP 401
    refused = httpx.get(f"{hub.base_url}/ocpi/2.2.1/locations", headers=token_a.headers)
    assert refused.status_code == 401 and refused.json()["status_code"] == 2000


def test_a_push_to_another_party_is_an_unknown_receiver_and_nothing_is_stored(hub):
    if get_party("PARTY#EMSP#PT#EDP") is None:
        register_receiver("https://emsp.invalid", "EDP", modules=())
    edp = issue("C", party_id="EDP")
    url = f"{hub.base_url}/ocpi/2.2.1/tokens/PT/EDP/{CARD}"
    routed = {**edp.headers, "OCPI-to-country-code": "PT", "OCPI-to-party-id": "GLP"}
    refused = httpx.put(url, json=rfid_token(uid=CARD), headers=routed)
    assert refused.status_code == 200 and refused.json()["status_code"] == 4001
    assert tokens.get_token(tokens.TokenKey("PT", "EDP", TokenType.RFID, CARD)) is None
    to_the_hub = {**edp.headers, "OCPI-to-country-code": "PT", "OCPI-to-party-id": "MOB"}
    assert httpx.put(url, json=rfid_token(uid=CARD), headers=to_the_hub).json()["status_code"] == 1000


def test_message_ids_come_back_as_sent(hub):
    edp = issue("C", party_id="EDP")
    sent = {**edp.headers, "X-Request-ID": "774321", "X-Correlation-ID": "774321"}
    response = httpx.get(f"{hub.base_url}/ocpi/versions", headers=sent)
    assert (response.headers["X-Request-ID"], response.headers["X-Correlation-ID"]) == ("774321", "774321")
    generated = httpx.get(f"{hub.base_url}/ocpi/versions", headers=edp.headers)
    assert uuid.UUID(generated.headers["X-Request-ID"]) != uuid.UUID(generated.headers["X-Correlation-ID"])
