"""Every OCPI message lands in the audit trail exactly once with its ids: requests to the hub and
its responses, the hub's pushes and the parties' answers."""

from __future__ import annotations

import base64
import json
import uuid

import httpx
import pytest
from fastapi.testclient import TestClient

from mobie_hub.audit import runtime
from mobie_hub.audit.ports import AuditSink
from mobie_hub.ocpi.app import create_app
from mobie_hub.outbound import OutboundCallFailed, correlation_scope
from mobie_hub.outbound.httpx_adapter import HttpxOcpiClient
from tests.support.audit import MemoryAuditStore, body
from tests.support.events import load_event
from tests.support.handlers import FakeContext, lambda_module
from tests.support.parties import issue, register_receiver


@pytest.fixture
def client(aws) -> TestClient:
    return TestClient(create_app())


def test_a_request_to_the_hub_and_its_response_are_one_record_each(client, trail: MemoryAuditStore):
    # Given a registered EMSP
    edp = issue("C")
    correlation = str(uuid.uuid4())
    # When it asks for the hub's client info list
    response = client.get(
        "/ocpi/2.2.1/hubclientinfo", headers={**edp.headers, "X-Correlation-ID": correlation}
    )
    # Then its request and the hub's response are recorded once each, with the ids the hub answered
    records = trail.where(correlation_id=correlation)
    assert [(r.direction, r.kind) for r in records] == [("in", "request"), ("out", "response")]
    request, answer = records
    assert request.request_id == answer.request_id == response.headers["X-Request-ID"]
    assert {r.party for r in records} == {"PT/EDP"} and {r.module for r in records} == {"hubclientinfo"}
    assert (answer.http_status, answer.ocpi_status) == (200, 1000)
    assert body(answer) == response.json() and answer.duration_ms is not None
    assert request.method == "GET" and request.url == "/ocpi/2.2.1/hubclientinfo"


def test_a_refused_request_is_recorded_without_a_party_and_with_its_status(client, trail):
    response = client.get("/ocpi/2.2.1/locations", headers={"Authorization": "Token nope-not-a-token"})
    [_, answer] = trail.where(correlation_id=response.headers["X-Correlation-ID"])
    assert (
        answer.party is None
        and answer.http_status == 401
        and answer.ocpi_status == response.json()["status_code"]
    )


def test_the_request_body_is_recorded_and_a_session_id_found_in_it(client, trail):
    edp = issue("C")
    client.post(
        "/ocpi/2.2.1/commands/STOP_SESSION",
        headers=edp.headers,
        json={"response_url": "https://emsp.test/cb/1", "session_id": "S-42"},
    )
    [request] = trail.where(kind="request", direction="in")
    assert body(request) == {"response_url": "https://emsp.test/cb/1", "session_id": "S-42"}
    assert request.session_id == "S-42" and request.module == "commands"


def test_admin_calls_are_not_ocpi_and_not_recorded(aws, trail):
    from mobie_hub.cli.serve import create_local_app

    TestClient(create_local_app()).post("/admin/status", json={})
    assert trail.records == []


def test_a_push_and_the_partys_answer_are_one_record_each(aws, trail):
    # Given a registered EMSP answering pushes
    party = register_receiver("https://emsp.test")
    answered = httpx.MockTransport(
        lambda request: httpx.Response(200, json={"status_code": 1000, "timestamp": "x"})
    )
    client = HttpxOcpiClient(transport=answered)
    # When the hub pushes an EVSE status inside one correlation
    with correlation_scope() as correlation:
        client.patch(party, "locations", "PT/MOB/LSB-00175/LSB-00175-01", {"status": "CHARGING"})
    # Then the push and its answer are recorded once each, under that correlation id
    records = trail.where(correlation_id=correlation)
    assert [(r.direction, r.kind) for r in records] == [("out", "request"), ("in", "response")]
    push, answer = records
    assert push.party == "PT/EDP" and push.module == "locations" and push.method == "PATCH"
    assert push.url == "https://emsp.test/ocpi/emsp/2.2.1/locations/PT/MOB/LSB-00175/LSB-00175-01"
    assert body(push) == {"status": "CHARGING"} and push.request_id == answer.request_id
    assert (answer.http_status, answer.ocpi_status) == (200, 1000)


def test_a_push_that_gets_no_answer_leaves_its_request_record(aws, trail):
    party = register_receiver("https://emsp.test")

    def timeout(request):
        raise httpx.ConnectTimeout("no answer", request=request)

    with pytest.raises(OutboundCallFailed):
        HttpxOcpiClient(transport=httpx.MockTransport(timeout)).patch(
            party, "locations", "x", {"status": "BLOCKED"}
        )
    assert [(r.direction, r.kind) for r in trail.records] == [("out", "request")]


class BrokenSink(AuditSink):
    def write(self, records):
        raise OSError("disk full")


def test_a_failing_sink_fails_no_request_and_no_push_and_is_counted(client, capsys):
    # Given an audit sink that fails every write
    runtime.use(BrokenSink())
    party = register_receiver("https://emsp.test")
    answered = httpx.MockTransport(lambda request: httpx.Response(200, json={"status_code": 1000, "timestamp": "x"}))
    # When a request comes in and a push goes out
    response = client.get("/ocpi/versions", headers=issue("C").headers)
    reply = HttpxOcpiClient(transport=answered).put(party, "locations", "PT/MOB/LSB-1", {"id": "LSB-1"})
    # Then both work, and every failed write is counted
    assert response.status_code == 200 and reply.status_code == 1000
    failed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"AuditWriteFailed"' in line]
    assert sum(metric["AuditWriteFailed"] for metric in failed) == 4  # request + response, both ways


def test_a_deeply_nested_body_through_the_lambda_is_2001_and_still_audited(aws, trail: MemoryAuditStore):
    # issue #12 finding 7: a real-shaped API Gateway PUT (no Content-Length) with 1000 levels of JSON
    edp = issue("C")
    event = load_event("apigw/ocpi_put_token.json", token_b64=base64.b64encode(edp.token.encode()).decode())
    event["body"] = "[" * 1000 + "]" * 1000
    response = lambda_module("tokens").handler(event, FakeContext())
    # Then 2001 / HTTP 400 in the envelope, not a RecursionError
    assert response["statusCode"] == 400 and json.loads(response["body"])["status_code"] == 2001
    # And the request is in the trail, its body as text, with the party that sent it
    [request] = trail.where(kind="request")
    assert request.body == event["body"] and request.party == "PT/EDP"
    assert [r.http_status for r in trail.where(kind="response")] == [400]
