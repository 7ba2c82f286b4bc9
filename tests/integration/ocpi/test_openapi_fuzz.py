"""Schemathesis against the OCPI app in-process (ASGI, no network), from the hub's own OpenAPI documents
(issue #15 item 3): whatever a registered EMSP can send, in any field the documents describe and
beyond, no answer is a server error, and the answers are what the documents say. Bounded examples
per operation keep it around a minute of CPU.

Given the app over moto's DynamoDB, the demo stations and tariffs, a registered EMSP with a token C,
and an outbound client whose every call fails without touching the network (a credentials update
then cannot reach the random URLs it is given),
When schemathesis sends generated requests to every operation of OCPI 2.2 and 2.2.1,
Then no answer has an HTTP status of 500 or more, and every answer is as the document describes it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings, strategies
from moto import mock_aws
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from mobie_hub import outbound
from mobie_hub.commands import runtime as commands_runtime
from mobie_hub.core.dynamodb import dynamodb_resource
from mobie_hub.core.schema import ensure_tables
from mobie_hub.local.demo import load_demo_data
from mobie_hub.local.openapi import document
from mobie_hub.ocpi.app import create_app
from mobie_hub.outbound.httpx_adapter import HttpxOcpiClient
from tests.support.parties import Party, issue
from tests.support.tokens import registered_emsp
from tests.unit.commands.fakes import RecordingWorkflow

pytestmark = pytest.mark.filterwarnings("ignore")
# Per operation and version: 44 operations, ~900 requests, ~1 min of CPU. A deeper hunt:
# MOBIE_FUZZ_EXAMPLES=200 pytest tests/integration/ocpi/test_openapi_fuzz.py
MAX_EXAMPLES = int(os.environ.get("MOBIE_FUZZ_EXAMPLES", "20"))


@pytest.fixture(scope="module")
def hub_tables() -> Iterator[None]:
    """moto's DynamoDB with the hub's tables and the demo stations and tariffs, once for the module
    (loading them is most of the time an operation takes)."""
    with mock_aws():
        ensure_tables(dynamodb_resource().meta.client)
        load_demo_data()
        yield


@pytest.fixture
def fuzzed_app(hub_tables) -> Iterator[tuple[object, Party]]:
    """The app and a registered EMSP with a fresh token C (an earlier operation may have unregistered it)."""
    emsp = issue("C", party_id="EDP")
    registered_emsp("EDP")
    outbound.use_client(HttpxOcpiClient(transport=httpx.MockTransport(lambda request: httpx.Response(503))))
    commands_runtime.use(workflow=RecordingWorkflow())  # Step Functions' place: accepted commands recorded
    try:
        yield create_app(), emsp
    finally:
        outbound.use_client(None)
        commands_runtime.use()


SCHEMAS = {version: schemathesis.openapi.from_dict(document(version)) for version in ("2.2.1", "2.2")}
OPERATIONS = [
    pytest.param(version, result.ok(), id=result.ok().label)
    for version, schema in SCHEMAS.items()
    for result in schema.get_all_operations()
]


@pytest.mark.parametrize(("version", "operation"), OPERATIONS)
def test_no_request_gets_a_server_error(version, operation, fuzzed_app):
    app, emsp = fuzzed_app
    statuses: list[int] = []
    cases = strategies.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    # No shrinking: a failure is reported as found (shrinking a slow in-process call takes minutes).
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(cases)
    def answers_without_server_error(case) -> None:
        response = case.call(app=app, headers=emsp.headers)
        statuses.append(response.status_code)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} {case.query or ''} -> {response.status_code} "
            f"{response.text}"
        )
        case.validate_response(response, checks=[response_schema_conformance])  # answers as documented

    answers_without_server_error()
    assert set(statuses) != {401}, "the token was never accepted: nothing beyond authentication was tried"
