"""The OpenAPI documents (issue #15 item 3): built from the routes and models the hub serves with, one
per OCPI version, and the committed copies in docs/openapi/ are what `make openapi` writes today."""

from __future__ import annotations

from pathlib import Path

import pytest

from mobie_hub.core.modules import SUPPORTED_VERSIONS
from mobie_hub.local.openapi import OPERATIONS, document, file_name, rendered
from mobie_hub.ocpi.openapi import build_document, ocpi_routes, route_keys

DOCS = Path(__file__).resolve().parents[3] / "docs" / "openapi"
VERSIONS = [v.value for v in SUPPORTED_VERSIONS]


@pytest.mark.parametrize("version", VERSIONS)
def test_the_committed_document_is_what_make_openapi_writes(version):
    committed = (DOCS / file_name(version)).read_text(encoding="utf-8")
    assert committed == rendered(version), f"docs/openapi/{file_name(version)} is stale: run `make openapi`"


def test_every_route_the_hub_serves_is_described_and_nothing_else():
    assert route_keys(ocpi_routes()) == set(OPERATIONS)


def test_a_route_without_a_description_cannot_be_documented():
    operations = {key: op for key, op in OPERATIONS.items() if key != ("GET", "/ocpi/{version}/sessions")}
    with pytest.raises(KeyError, match="sessions"):
        build_document(ocpi_routes(), operations, "2.2.1", title="t", description="d")


def test_paths_name_the_version_and_list_operations_answer_pages():
    paths = document("2.2.1")["paths"]
    assert "/ocpi/2.2.1/sessions" in paths and not any("{version}" in path for path in paths)
    sessions = paths["/ocpi/2.2.1/sessions"]["get"]
    assert {"offset", "limit", "date_from", "date_to"} <= {p["name"] for p in sessions["parameters"]}
    assert {"Link", "X-Total-Count", "X-Limit"} <= set(sessions["responses"]["200"]["headers"])
    envelope = sessions["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    data = document("2.2.1")["components"]["schemas"][envelope]["properties"]["data"]
    assert {"$ref": "#/components/schemas/Session"} in [d.get("items") for d in data["anyOf"]]


def test_each_command_has_its_own_path_with_its_request_model():
    paths = document("2.2.1")["paths"]
    body = paths["/ocpi/2.2.1/commands/START_SESSION"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/StartSession"}
    assert "/ocpi/2.2.1/commands/{command}" not in paths


def test_every_operation_takes_the_token_scheme():
    doc = document("2.2")
    assert doc["components"]["securitySchemes"]["OcpiToken"]["name"] == "Authorization"
    operations = [op for item in doc["paths"].values() for op in item.values()]
    assert all(op["security"] == [{"OcpiToken": []}] for op in operations)


def test_the_2_2_document_leaves_out_what_ocpi_2_2_lacks():
    schemas_2_2 = document("2.2")["components"]["schemas"]
    schemas_2_2_1 = document("2.2.1")["components"]["schemas"]
    assert "state" in schemas_2_2_1["MobieCdrLocation"]["properties"]
    assert "state" not in schemas_2_2["MobieCdrLocation"]["properties"]
    assert "connector_id" in schemas_2_2_1["StartSession"]["properties"]
    assert "connector_id" not in schemas_2_2["StartSession"]["properties"]
    assert "START_SESSION_CONNECTOR_REQUIRED" in schemas_2_2_1["Capability"]["enum"]
    assert "START_SESSION_CONNECTOR_REQUIRED" not in schemas_2_2["Capability"]["enum"]
