"""Tokens receiver interface end to end: HTTP → router → logic → DynamoDB (moto). Profile §10."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mobie_hub.core.dynamodb import counting_calls, table
from tests.support.parties import Party, issue
from tests.support.tokens import APP_UID, adapted_to_mobie, app_token, official_example, rfid_token

RFID_URL = "/ocpi/2.2.1/tokens/PT/EDP/04A1B2C3D4E5F6"
APP_URL = f"/ocpi/2.2.1/tokens/PT/EDP/{APP_UID}?type=APP_USER"
PATCH = {"valid": False, "last_updated": "2024-05-01T00:00:00Z"}


def stored_items() -> list[dict]:
    """The token items (not the idTag claims beside them)."""
    return [i for i in table("tokens").scan()["Items"] if i["sk"] == "TOKEN"]  # tests only: never requests


def assert_refused(response, http_status: int, ocpi_status: int, *, mentions: str = "") -> None:
    assert response.status_code == http_status, response.text
    body = response.json()
    assert body["status_code"] == ocpi_status
    assert "data" not in body
    assert mentions in body["status_message"]


# --- PUT / GET / PATCH ---------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["2.2.1", "2.2"])
def test_put_creates_201_then_replaces_200_and_get_returns_the_token(
    client: TestClient, emsp: Party, version
):
    url = f"/ocpi/{version}/tokens/PT/EDP/04A1B2C3D4E5F6"

    created = client.put(url, json=rfid_token(), headers=emsp.headers)
    replaced = client.put(url, json=rfid_token(visual_number="EDP-9"), headers=emsp.headers)
    got = client.get(url, headers=emsp.headers)

    assert (created.status_code, created.json()["status_code"]) == (201, 1000)
    assert (replaced.status_code, replaced.json()["status_code"]) == (200, 1000)
    assert got.status_code == 200
    assert got.json()["data"] == rfid_token(visual_number="EDP-9")
    assert len(stored_items()) == 1


def test_get_and_patch_address_the_token_case_insensitively(client: TestClient, emsp: Party):
    client.put(RFID_URL, json=rfid_token(), headers=emsp.headers)

    patched = client.patch(
        "/ocpi/2.2/tokens/pt/edp/04a1b2c3d4e5f6?type=RFID", json=PATCH, headers=emsp.headers
    )
    got = client.get("/ocpi/2.2/tokens/pt/edp/04a1b2c3d4e5f6", headers=emsp.headers)

    assert (patched.status_code, patched.json()["status_code"]) == (200, 1000)
    assert got.json()["data"]["valid"] is False
    assert got.json()["data"]["last_updated"] == "2024-05-01T00:00:00Z"
    assert got.json()["data"]["issuer"] == "EDP Comercial"  # untouched by the PATCH


def test_app_user_tokens_need_the_type_in_the_url(client: TestClient, emsp: Party):
    without_type = client.put(f"/ocpi/2.2.1/tokens/PT/EDP/{APP_UID}", json=app_token(), headers=emsp.headers)
    with_type = client.put(APP_URL, json=app_token(), headers=emsp.headers)

    assert_refused(without_type, 400, 2001, mentions="type")  # the URL's type defaults to RFID
    assert with_type.status_code == 201
    assert client.get(APP_URL, headers=emsp.headers).json()["data"]["uid"] == APP_UID


def test_a_put_is_one_idtag_query_and_one_write(client: TestClient, emsp: Party):
    with counting_calls() as calls:
        client.put(RFID_URL, json=rfid_token(), headers=emsp.headers)
        client.put(RFID_URL, json=rfid_token(), headers=emsp.headers)
    # per PUT: the credentials-token GetItem (parties table), the idTag conflict Query, and one
    # transaction writing the token with its idTag claim (issue #12)
    assert calls == {"GetItem": 2, "Query": 2, "TransactWriteItems": 2}


def test_an_invalid_token_is_one_plain_write_without_a_claim(client: TestClient, emsp: Party):
    with counting_calls() as calls:
        client.put(RFID_URL, json=rfid_token(valid=False), headers=emsp.headers)
    assert calls == {"GetItem": 1, "Query": 1, "PutItem": 1}


# --- the official OCPI examples, made MOBI.E tokens ----------------------------------------------
# Only these tests need ../shared/ocpi-examples (a module-level skip would also skip every other test
# of this file, silently).
@pytest.mark.parametrize("version", ["2.2", "2.2.1"])
@pytest.mark.parametrize(
    "name", ["token_example_1_app_user.json", "token_example_2_full_rfid.json", "token_put_example.json"]
)
def test_official_examples_adapted_to_a_pt_party_are_accepted_end_to_end(
    client: TestClient, emsp: Party, version, name
):
    # Given an OCPI example token as PT/EDP would send it
    token = adapted_to_mobie(official_example(version, name))
    url = f"/ocpi/{version}/tokens/PT/EDP/{token['uid']}?type={token['type']}"

    # When it is PUT, then PATCHed with the official PATCH example
    put = client.put(url, json=token, headers=emsp.headers)
    patch = client.patch(
        url, json=official_example(version, "token_patch_example.json"), headers=emsp.headers
    )
    got = client.get(url, headers=emsp.headers)

    # Then both are accepted and GET shows the token with the PATCH applied
    assert (put.status_code, put.json()["status_code"]) == (201, 1000), put.text
    assert (patch.status_code, patch.json()["status_code"]) == (200, 1000), patch.text
    assert got.json()["data"] == {**token, "valid": False, "last_updated": "2019-06-19T02:11:11Z"}


# --- ownership and authentication ----------------------------------------------------------------
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH"])
def test_another_partys_tokens_are_forbidden(client: TestClient, emsp: Party, method):
    other = issue("C", party_id="GLP")
    body = {"GET": None, "PUT": rfid_token(), "PATCH": PATCH}[method]
    client.put(RFID_URL, json=rfid_token(), headers=emsp.headers)

    response = client.request(method, RFID_URL, json=body, headers=other.headers)

    assert_refused(response, 403, 2000, mentions="another party")
    assert client.get(RFID_URL, headers=emsp.headers).json()["data"] == rfid_token()


def test_a_cpo_cannot_push_tokens(client: TestClient, aws):
    cpo = issue("C", party_id="EDP", role="CPO")
    response = client.put(RFID_URL, json=rfid_token(), headers=cpo.headers)
    assert_refused(response, 403, 2000)
    assert stored_items() == []


def test_token_a_and_no_token_are_refused(client: TestClient, invited: Party):
    # token A beyond credentials/versions: HTTP 401 (OCPI 2.2.1 transport_and_format §4.1.3)
    assert_refused(
        client.put("/ocpi/2.2.1/tokens/PT/GLP/X", json=rfid_token(), headers=invited.headers), 401, 2000
    )
    assert_refused(client.get(RFID_URL), 401, 2000)
    assert stored_items() == []


# --- unknown tokens ------------------------------------------------------------------------------
def test_get_and_patch_of_an_unknown_token_are_2004_with_404(client: TestClient, emsp: Party):
    client.put(RFID_URL, json=rfid_token(), headers=emsp.headers)

    assert_refused(client.get(f"{RFID_URL}?type=APP_USER", headers=emsp.headers), 404, 2004)
    assert_refused(client.get("/ocpi/2.2.1/tokens/PT/EDP/FFFF", headers=emsp.headers), 404, 2004)
    assert_refused(
        client.patch("/ocpi/2.2.1/tokens/PT/EDP/FFFF", json=PATCH, headers=emsp.headers), 404, 2004
    )
    assert len(stored_items()) == 1


# --- refused bodies: 2001 in the envelope, nothing stored ----------------------------------------
def test_patch_without_last_updated_is_2001(client: TestClient, emsp: Party):
    client.put(RFID_URL, json=rfid_token(), headers=emsp.headers)
    response = client.patch(RFID_URL, json={"valid": False}, headers=emsp.headers)
    assert_refused(response, 400, 2001, mentions="last_updated")
    assert client.get(RFID_URL, headers=emsp.headers).json()["data"]["valid"] is True


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        (rfid_token(valid="maybe"), "valid"),
        (rfid_token(last_updated=5), "last_updated"),
        (rfid_token(last_updated="yesterday"), "last_updated"),
        (rfid_token(type="BADGE"), "type"),
        (rfid_token(energy_contract="CT_1"), "energy_contract"),
        (rfid_token(issuer="E" * 65), "issuer"),
        (rfid_token(visual_number="9" * 65), "visual_number"),
        (rfid_token(contract_id="PT-EDP-C-1234ABCD-J" + "X" * 18), "contract_id"),
        (rfid_token(group_id="G" * 37), "group_id"),
        (rfid_token(language="por"), "language"),
        (rfid_token(energy_contract={"supplier_name": "S" * 65, "contract_id": "CT_1"}), "supplier_name"),
        (rfid_token(issuer=None), "issuer"),
        (rfid_token(valid=None), "valid"),
        ([rfid_token()], "body"),
    ],
)
def test_wrong_types_and_over_long_strings_are_2001_and_store_nothing(
    client: TestClient, emsp: Party, body, mentions
):
    response = client.put(RFID_URL, json=body, headers=emsp.headers)
    assert_refused(response, 400, 2001, mentions=mentions)
    assert stored_items() == []


@pytest.mark.parametrize("raw", [b"{not json", b"", b'{"uid": "04A1B2C3D4E5F6",}'])
def test_bad_json_is_2001_and_stores_nothing(client: TestClient, emsp: Party, raw):
    headers = {**emsp.headers, "Content-Type": "application/json"}
    assert_refused(client.put(RFID_URL, content=raw, headers=headers), 400, 2001)
    assert_refused(client.patch(RFID_URL, content=raw, headers=headers), 400, 2001)
    assert stored_items() == []


@pytest.mark.parametrize(
    ("url", "mentions"),
    [
        ("/ocpi/2.2.1/tokens/PT/EDP/04A1B2C3D4E5F6?type=BADGE", "type"),
        ("/ocpi/2.2.1/tokens/PT/EDP/" + "X" * 37, "uid"),
        ("/ocpi/2.2.1/tokens/PT/EDP/FFFF", "uid"),  # the body names another uid
    ],
)
def test_url_problems_are_2001(client: TestClient, emsp: Party, url, mentions):
    assert_refused(client.put(url, json=rfid_token(), headers=emsp.headers), 400, 2001, mentions=mentions)
    assert stored_items() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (rfid_token(whitelist="ALLOWED"), "whitelist"),
        (rfid_token(contract_id="DE8ACC12E46L89"), "contract_id"),
        (
            rfid_token(energy_contract={"supplier_name": "EDPC", "contract_id": "0123"}),
            "energy_contract.contract_id",
        ),
        (rfid_token(country_code="ES"), "country_code"),
    ],
)
def test_profile_rules_are_2001_naming_the_field(client: TestClient, emsp: Party, body, field):
    response = client.put(RFID_URL, json=body, headers=emsp.headers)
    assert_refused(response, 400, 2001, mentions=f"{field}: ")
    assert stored_items() == []


def test_a_patch_that_breaks_a_rule_changes_nothing(client: TestClient, emsp: Party):
    client.put(RFID_URL, json=rfid_token(), headers=emsp.headers)
    before = stored_items()

    for body in ({**PATCH, "whitelist": "NEVER"}, {**PATCH, "issuer": None}, {**PATCH, "valid": "maybe"}):
        assert_refused(client.patch(RFID_URL, json=body, headers=emsp.headers), 400, 2001)

    assert stored_items() == before


# --- issue #12: dates from the future, control characters -----------------------------------------
def test_a_put_or_patch_from_the_future_is_refused_naming_last_updated(client: TestClient, emsp: Party):
    future = "9999-12-31T23:59:59Z"
    put = client.put(RFID_URL, json=rfid_token(last_updated=future), headers=emsp.headers)
    assert_refused(put, 400, 2001, mentions="last_updated")
    assert stored_items() == []

    client.put(RFID_URL, json=rfid_token(), headers=emsp.headers)
    before = stored_items()
    patch = client.patch(RFID_URL, json={"valid": False, "last_updated": future}, headers=emsp.headers)
    assert_refused(patch, 400, 2001, mentions="last_updated")
    assert stored_items() == before


def test_a_nul_byte_in_a_string_is_refused_naming_the_field(client: TestClient, emsp: Party):
    response = client.put(RFID_URL, json=rfid_token(issuer="EDP\u0000Comercial"), headers=emsp.headers)

    assert_refused(response, 400, 2001, mentions="issuer")
    assert stored_items() == []
