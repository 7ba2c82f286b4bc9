"""Issue #12, finding 1: one EMSP takes over another EMSP's RFID card. Before the fix, when two
EMSPs' tokens shared an idTag the hub picked the valid one with the latest party-supplied
``last_updated``: EMSP GLP PUT EDP's card number with ``last_updated: 9999-12-31T23:59:59Z`` and
EDP's customer's next charge (its session, its CDR) went to GLP.

Now a date more than a few minutes ahead is refused (2001, naming ``last_updated``), an idTag a valid
token of another registered EMSP holds is refused (2001, HTTP 409, naming ``uid``; nothing stored)
whatever the date, and an idTag that was already ambiguous (stored before the fix) charges for
nobody (Invalid) and is reported: log, metric ``IdTagConflicts``, ``mobie-hub tokens conflicts``.

The local hub over real sockets: both EMSPs push over OCPI with their own tokens C; the station (the
``ocpp`` library's ChargePoint, with a password, so the test holds whether station authentication is
required or not) reports the card itself."""

from __future__ import annotations

import asyncio
import json
import secrets

import httpx
import pytest
from ocpp.v16 import call as req

from mobie_hub.cli import main as cli
from mobie_hub.core.dynamodb import table
from mobie_hub.core.models import STORED_CONTEXT
from mobie_hub.core.types import format_datetime, utcnow
from mobie_hub.ocpp import repository as stations
from mobie_hub.ocpp.station_auth import hash_password
from mobie_hub.parties.repository import get_party
from mobie_hub.sessions import transaction_repository as transactions
from mobie_hub.simulator import connect_station
from mobie_hub.tokens import repository as tokens
from mobie_hub.tokens.models import Token
from tests.support.parties import Party, issue, register_receiver
from tests.support.tokens import rfid_token

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

STATION = "LSB-00175"
CARD = "04A1B2C3D4E5F6"
FAR_FUTURE = "9999-12-31T23:59:59Z"


def glp_card(**overrides) -> dict:
    """EDP's card number, as the hostile EMSP PT/GLP would push it under its own key."""
    return rfid_token(party_id="GLP", contract_id="PT-GLP-C-1234ABCD-1", **overrides)


@pytest.fixture
def emsps(hub) -> tuple[Party, Party]:
    """EDP (the card's EMSP, its card pushed) and GLP (hostile), both registered with a token C."""
    for party_id in ("EDP", "GLP"):
        if get_party(f"PARTY#EMSP#PT#{party_id}") is None:
            register_receiver("https://emsp.invalid", party_id, modules=())
    edp, glp = issue("C", party_id="EDP"), issue("C", party_id="GLP")
    pushed = httpx.put(f"{hub.base_url}/ocpi/2.2.1/tokens/PT/EDP/{CARD}", json=rfid_token(), headers=edp.headers)
    assert pushed.json()["status_code"] == 1000
    yield edp, glp
    for item in table("tokens").scan()["Items"]:  # the next test starts from EDP's card alone
        if "#GLP#" in item["pk"] or item["sk"] == "CLAIM":
            table("tokens").delete_item(Key={"pk": item["pk"], "sk": item["sk"]})


@pytest.fixture
def password() -> str:
    password = secrets.token_hex(16)
    stations.set_password_hash(STATION, hash_password(password.encode()), utcnow())
    return password


def the_card_at_the_station(hub, password: str) -> tuple[str, str, dict | None]:
    """The station reads the card: Authorize, then StartTransaction (and Stop); returns both statuses
    and the token owner the transaction was started for."""

    async def station():
        async with connect_station(hub.ocpp_url, STATION, password=password) as cp:
            await cp.boot()
            authorized = await cp.authorize(CARD)
            started = await cp.call(req.StartTransaction(
                connector_id=1, id_tag=CARD, meter_start=0, timestamp=format_datetime(utcnow())), suppress=False)
            await cp.call(req.StopTransaction(
                meter_stop=10, timestamp=format_datetime(utcnow()), transaction_id=started.transaction_id,
                id_tag=CARD), suppress=False)
            return authorized, started

    authorized, started = asyncio.run(asyncio.wait_for(station(), 30))
    token = transactions.get_transaction(started.transaction_id).get("token")
    return authorized, started.id_tag_info["status"], json.loads(token) if token else None


def test_a_hostile_emsp_cannot_take_over_a_card_by_pushing_it(hub, emsps, password):
    edp, glp = emsps
    glp_url = f"{hub.base_url}/ocpi/2.2.1/tokens/PT/GLP/{CARD}"

    # When GLP pushes EDP's card number from the far future …
    future = httpx.put(glp_url, json=glp_card(last_updated=FAR_FUTURE), headers=glp.headers)
    # … or dated now
    now = httpx.put(glp_url, json=glp_card(last_updated=format_datetime(utcnow())), headers=glp.headers)
    # … or as an invalid token, then PATCHed valid
    invalid = httpx.put(glp_url, json=glp_card(valid=False), headers=glp.headers)
    patched = httpx.patch(glp_url, json={"valid": True, "last_updated": format_datetime(utcnow())},
                          headers=glp.headers)

    # Then each attempt that would hold the card is refused, naming the field
    assert (future.status_code, future.json()["status_code"]) == (400, 2001)
    assert "last_updated" in future.json()["status_message"]
    assert (now.status_code, now.json()["status_code"]) == (409, 2001)
    assert "uid" in now.json()["status_message"] and "EDP" not in now.json()["status_message"]
    assert invalid.status_code == 201  # an invalid token authorises nothing: harmless
    assert (patched.status_code, patched.json()["status_code"]) == (409, 2001)
    assert [s.token.valid for s in tokens.find_all_by_id_tag(CARD) if s.party_id == "GLP"] == [False]

    # and EDP's customer still charges, for EDP
    authorized, started, owner = the_card_at_the_station(hub, password)
    assert (authorized, started) == ("Accepted", "Accepted")
    assert (owner["country_code"], owner["party_id"]) == ("PT", "EDP")


def test_a_card_already_held_by_two_emsps_charges_for_nobody_and_is_reported(hub, emsps, password, capfd):
    # Given GLP's copy of the card stored before the fix, dated 9999 (straight into the table)
    hijack = Token.model_validate(glp_card(last_updated=FAR_FUTURE), context=STORED_CONTEXT)
    table("tokens").put_item(Item=tokens.token_item(hijack))

    # When the card is read at a station
    authorized, started, owner = the_card_at_the_station(hub, password)

    # Then it fails closed for everyone: no session goes to GLP (nor to EDP until settled)
    assert (authorized, started, owner) == ("Invalid", "Invalid", None)
    printed = capfd.readouterr().out
    metrics = [json.loads(line) for line in printed.splitlines() if '"IdTagConflicts"' in line]
    assert metrics and all(m["IdTagConflicts"] == 1 for m in metrics)

    # and the operator sees who shares it
    assert cli.main(["tokens", "conflicts", "--json", "--hub", hub.base_url]) == 0
    report = json.loads(capfd.readouterr().out.splitlines()[-1])
    assert [(c["id_tag"], c["owners"]) for c in report["conflicts"]] == [(CARD, ["PT/EDP", "PT/GLP"])]
