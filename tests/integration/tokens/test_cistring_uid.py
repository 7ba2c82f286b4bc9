"""Token uid is an OCPI CiString: GET, PUT and PATCH address the same token whatever the case of the
URL, and the stored Token keeps the case the EMSP gave it (mod_tokens §12.2.1, types CiString)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mobie_hub.core.dynamodb import table
from tests.support.parties import Party
from tests.support.tokens import rfid_token


def token_items() -> list[dict]:
    return [i for i in table("tokens").scan()["Items"] if i["sk"] == "TOKEN"]


def test_a_lower_case_uid_is_found_by_any_case_and_answered_as_stored(client: TestClient, emsp: Party):
    created = client.put(
        "/ocpi/2.2.1/tokens/PT/EDP/04a1b2c3d4e5f6", json=rfid_token(uid="04a1b2c3d4e5f6"), headers=emsp.headers
    )

    got = client.get("/ocpi/2.2.1/tokens/PT/EDP/04A1B2C3D4E5F6", headers=emsp.headers)

    assert created.status_code == 201, created.text
    assert got.status_code == 200, got.text
    assert got.json()["data"]["uid"] == "04a1b2c3d4e5f6"


def test_put_in_another_case_replaces_the_same_token(client: TestClient, emsp: Party):
    client.put("/ocpi/2.2.1/tokens/PT/EDP/04A1B2C3D4E5F6", json=rfid_token(), headers=emsp.headers)

    replaced = client.put(
        "/ocpi/2.2.1/tokens/pt/edp/04a1b2c3d4e5f6", json=rfid_token(visual_number="EDP-9"),
        headers=emsp.headers,
    )
    patched = client.patch(
        "/ocpi/2.2.1/tokens/PT/EDP/04a1B2c3D4e5F6",
        json={"valid": False, "last_updated": "2024-05-01T00:00:00Z"},
        headers=emsp.headers,
    )

    assert (replaced.status_code, replaced.json()["status_code"]) == (200, 1000)  # 200: not a second token
    assert (patched.status_code, patched.json()["status_code"]) == (200, 1000)
    assert len(token_items()) == 1
    got = client.get("/ocpi/2.2.1/tokens/PT/EDP/04a1b2c3d4e5f6", headers=emsp.headers).json()["data"]
    assert (got["uid"], got["visual_number"], got["valid"]) == ("04A1B2C3D4E5F6", "EDP-9", False)
