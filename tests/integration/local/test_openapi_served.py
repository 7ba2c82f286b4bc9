"""The local hub serves its OpenAPI documents and a docs page (issue #15 item 3); the OCPI app of the
Lambdas does not (docs/openapi/README.md)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mobie_hub.cli.serve import create_local_app
from mobie_hub.local.openapi import document
from mobie_hub.ocpi.app import create_app


def test_the_local_hub_serves_both_documents_and_the_docs_page(aws):
    client = TestClient(create_local_app())

    preferred = client.get("/openapi.json")
    assert preferred.status_code == 200
    assert preferred.json()["paths"] == document("2.2.1")["paths"]
    assert preferred.json()["servers"][0]["url"] == "http://testserver"
    assert client.get("/openapi/2.2.json").json()["info"]["version"] == "2.2"
    page = client.get("/docs")
    assert page.status_code == 200 and "/openapi/2.2.1.json" in page.text and "/openapi/2.2.json" in page.text


def test_a_version_not_offered_is_not_found_in_the_envelope(aws):
    answer = TestClient(create_local_app()).get("/openapi/2.1.1.json")
    assert answer.status_code == 404 and answer.json()["status_code"] == 2000


def test_the_lambdas_app_serves_no_schema(aws):
    client = TestClient(create_app())
    assert [client.get(path).status_code for path in ("/openapi.json", "/docs")] == [404, 404]
