"""The EMSP the e2e charges are told to: EDP's receivers on loopback (one fake party per test module),
registered with the local hub, its RFID token pushed over OCPI."""

from __future__ import annotations

import httpx
import pytest

from mobie_hub.parties.repository import get_party
from tests.support.fake_party import fake_party
from tests.support.parties import Party, issue, register_receiver
from tests.support.tokens import rfid_token


@pytest.fixture(scope="module")
def receiver():
    with fake_party() as party:
        yield party


@pytest.fixture
def edp(hub, receiver, hub_store) -> Party:
    """The EMSP: its receivers on loopback, registered once, its RFID token pushed to the hub over OCPI."""
    if get_party("PARTY#EMSP#PT#EDP") is None:
        register_receiver(receiver.base_url, "EDP", modules=("sessions", "cdrs"))
    emsp = issue("C", party_id="EDP")
    token = rfid_token()
    pushed = httpx.put(f"{hub.base_url}/ocpi/2.2.1/tokens/PT/EDP/{token['uid']}", json=token,
                       headers=emsp.headers, timeout=10)
    assert pushed.json()["status_code"] == 1000
    receiver.received.clear()
    return emsp
