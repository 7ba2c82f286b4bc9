"""Versions module through the full request plumbing (auth, headers, envelope) against moto."""

from __future__ import annotations

import uuid

from mobie_hub.core.modules import MODULES
from tests.support.parties import Party, issue


def test_versions_list_offers_2_2_1_and_2_2_with_public_urls(client, emsp: Party):
    response = client.get("/ocpi/versions", headers=emsp.headers)

    assert response.status_code == 200
    body = response.json()
    assert body["status_code"] == 1000
    assert body["timestamp"].endswith("Z")
    assert body["data"] == [
        {"version": "2.2.1", "url": "https://hub.test/ocpi/2.2.1/details"},
        {"version": "2.2", "url": "https://hub.test/ocpi/2.2/details"},
    ]


def test_details_lists_every_module_with_its_role(client, emsp: Party):
    response = client.get("/ocpi/2.2/details", headers=emsp.headers)

    data = response.json()["data"]
    assert data["version"] == "2.2"
    roles = {e["identifier"]: e["role"] for e in data["endpoints"]}
    assert roles == {
        "credentials": "SENDER", "locations": "SENDER", "sessions": "SENDER", "cdrs": "SENDER",
        "tariffs": "SENDER", "tokens": "RECEIVER", "commands": "RECEIVER", "hubclientinfo": "SENDER",
    }
    assert {e["url"] for e in data["endpoints"]} == {
        f"https://hub.test/ocpi/2.2/{m.identifier}" for m in MODULES if m.in_details
    }


def test_details_shown_to_a_cpo_list_its_modules_and_interfaces(client, aws):
    cpo = issue("C", party_id="GLP", role="CPO")
    data = client.get("/ocpi/2.2.1/details", headers=cpo.headers).json()["data"]
    assert [(e["identifier"], e["role"]) for e in data["endpoints"]] == [
        ("credentials", "SENDER"), ("locations", "SENDER"), ("sessions", "SENDER"), ("cdrs", "SENDER"),
        ("tariffs", "RECEIVER"), ("hubclientinfo", "SENDER"),
    ]
    assert data["endpoints"][4]["url"] == "https://hub.test/ocpi/2.2.1/tariffs"


def test_one_platform_registered_as_emsp_and_cpo_sees_each_roles_modules_with_each_token(client, aws):
    as_emsp, as_cpo = issue("C", party_id="GLP", role="EMSP"), issue("C", party_id="GLP", role="CPO")
    tariffs = {
        party: [e["role"] for e in client.get("/ocpi/2.2/details", headers=party.headers).json()["data"]["endpoints"]
                if e["identifier"] == "tariffs"]
        for party in (as_emsp, as_cpo)
    }
    assert tariffs == {as_emsp: ["SENDER"], as_cpo: ["RECEIVER"]}
    # The CPO token does not open the EMSP's modules, nor the EMSP's tariffs list.
    for path in ("/ocpi/2.2.1/tokens/PT/GLP/04A1B2C3D4E5F6", "/ocpi/2.2.1/tariffs"):
        refused = client.get(path, headers=as_cpo.headers)
        assert (refused.status_code, refused.json()["status_code"]) == (403, 2000), path
        assert "not offered to CPO parties" in refused.json()["status_message"]
    assert client.get("/ocpi/2.2.1/tariffs", headers=as_emsp.headers).status_code == 200


def test_a_cpo_writing_to_a_module_it_is_not_offered_is_refused_before_its_body_is_read(client, aws):
    cpo = issue("C", party_id="GLP", role="CPO")
    headers = {**cpo.headers, "content-type": "application/json"}

    refused = client.put("/ocpi/2.2.1/tokens/PT/GLP/X", headers=headers, content=b"{not json")

    assert (refused.status_code, refused.json()["status_code"]) == (403, 2000)  # not 400: the body was not read
    assert refused.headers["connection"] == "close"


def test_token_a_may_read_versions(client, invited: Party):
    assert client.get("/ocpi/2.2.1/details", headers=invited.headers).json()["status_code"] == 1000


def test_plain_token_is_accepted_like_base64(client, emsp: Party):
    response = client.get("/ocpi/versions", headers={"Authorization": f"Token {emsp.token}"})
    assert response.json()["status_code"] == 1000


def test_unknown_token_is_401_in_the_envelope(client, emsp: Party):
    response = client.get("/ocpi/versions", headers={"Authorization": "Token bm9wZQ=="})

    assert response.status_code == 401
    assert response.json()["status_code"] == 2000
    assert "X-Request-ID" in response.headers


def test_missing_or_malformed_authorization_is_401(client, aws):
    assert client.get("/ocpi/versions").status_code == 401
    assert client.get("/ocpi/versions", headers={"Authorization": "Bearer x"}).status_code == 401


def test_unknown_version_is_404_in_the_envelope(client, emsp: Party):
    response = client.get("/ocpi/2.1.1/details", headers=emsp.headers)
    assert response.status_code == 404
    assert response.json()["status_code"] == 2000


def test_unknown_module_path_is_404_in_the_envelope(client, emsp: Party):
    response = client.get("/ocpi/2.2/nonsense", headers=emsp.headers)
    assert response.status_code == 404
    assert response.json()["status_code"] == 2000


def test_request_and_correlation_ids_are_echoed(client, emsp: Party):
    request_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    response = client.get(
        "/ocpi/versions", headers={**emsp.headers, "X-Request-ID": request_id, "X-Correlation-ID": correlation_id}
    )
    assert response.headers["X-Request-ID"] == request_id
    assert response.headers["X-Correlation-ID"] == correlation_id


def test_missing_ids_are_generated_distinct_uuids(client, emsp: Party):
    response = client.get("/ocpi/versions", headers=emsp.headers)
    request_id = uuid.UUID(response.headers["X-Request-ID"])
    correlation_id = uuid.UUID(response.headers["X-Correlation-ID"])
    assert request_id != correlation_id


def test_routing_headers_name_the_hub_and_the_caller(client, emsp: Party):
    response = client.get("/ocpi/versions", headers=emsp.headers)
    assert response.headers["OCPI-from-country-code"] == "PT"
    assert response.headers["OCPI-from-party-id"] == "MOB"
    assert response.headers["OCPI-to-country-code"] == "PT"
    assert response.headers["OCPI-to-party-id"] == "EDP"


def test_from_headers_of_another_party_are_refused(client, emsp: Party):
    headers = {**emsp.headers, "OCPI-from-country-code": "PT", "OCPI-from-party-id": "GLP"}
    response = client.get("/ocpi/versions", headers=headers)
    assert response.status_code == 403
    assert response.json()["status_code"] == 2000


def test_token_a_is_refused_beyond_versions_and_credentials(aws, invited: Party, emsp: Party):
    from fastapi import Depends, FastAPI
    from fastapi.testclient import TestClient

    from mobie_hub.ocpi.auth import caller_for
    from mobie_hub.ocpi.error_mapping import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/ocpi/2.2/locations", dependencies=[Depends(caller_for("locations"))])
    def locations():
        return {"ok": True}

    client = TestClient(app)
    refused = client.get("/ocpi/2.2/locations", headers=invited.headers)
    # token A beyond credentials/versions: HTTP 401 (OCPI 2.2.1 transport_and_format §4.1.3)
    assert refused.status_code == 401
    assert refused.json()["status_code"] == 2000
    assert client.get("/ocpi/2.2/locations", headers=emsp.headers).status_code == 200


def test_only_a_hash_of_each_token_is_stored(aws, emsp: Party):
    from mobie_hub.core.dynamodb import table

    items = table("parties").scan()["Items"]  # a test may scan; request paths never do
    assert items and all(emsp.token not in str(item) for item in items)
