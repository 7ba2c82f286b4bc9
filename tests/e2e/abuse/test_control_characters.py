"""Issue #12, finding 10: NUL bytes were accepted in the strings a party sends and stored as they
came (then sent on to stations, EMSPs and the audit trail). Now a C0 control character other than
tab, CR and LF is refused with 2001 naming the field, over the real local hub, and nothing is stored."""

from __future__ import annotations

import httpx
import pytest

from mobie_hub.core.dynamodb import table
from tests.support.parties import issue, register_receiver
from tests.support.tokens import rfid_token

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

UID = "0C0D0E0F10"


@pytest.mark.parametrize(("field", "value"), [("issuer", "EDP\u0000Comercial"), ("visual_number", "EDP-\u001b[2J")])
def test_a_control_character_in_a_pushed_token_is_refused_and_nothing_is_stored(hub, field, value):
    # Given a registered EMSP
    if not _registered("EDP"):
        register_receiver("https://emsp.invalid", "EDP", modules=())
    edp = issue("C", party_id="EDP")
    # When it PUTs a token with a control character in one field
    response = httpx.put(
        f"{hub.base_url}/ocpi/2.2.1/tokens/PT/EDP/{UID}", json=rfid_token(uid=UID, **{field: value}),
        headers=edp.headers,
    )
    # Then it is refused, naming the field, and the token is not stored
    assert response.status_code == 400
    body = response.json()
    assert body["status_code"] == 2001 and field in body["status_message"]
    assert not [item for item in table("tokens").scan()["Items"] if UID in item["pk"]]


def _registered(party_id: str) -> bool:
    from mobie_hub.parties.repository import get_party

    return get_party(f"PARTY#EMSP#PT#{party_id}") is not None
