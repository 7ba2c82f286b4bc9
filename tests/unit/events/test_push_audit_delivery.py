"""A Location push batch sends its calls' audit records to Firehose in one delivery when the
invocation ends (issue #18: a PutRecordBatch per call was 2 AWS calls per EMSP pushed)."""

from __future__ import annotations

import json

import httpx
import pytest

from mobie_hub.audit import runtime
from mobie_hub.audit.firehose_sink import FirehoseAuditSink
from mobie_hub.outbound import use_client
from mobie_hub.outbound.httpx_adapter import HttpxOcpiClient
from tests.support.events import load_event
from tests.support.handlers import FakeContext, lambda_module
from tests.support.parties import register_receiver

EMSPS = ("EDP", "GLP", "MOB")


class FakeFirehose:
    def __init__(self) -> None:
        self.calls: list[dict] = []

    def put_record_batch(self, **kwargs):
        self.calls.append(kwargs)
        return {"FailedPutCount": 0, "RequestResponses": [{"RecordId": "1"} for _ in kwargs["Records"]]}


@pytest.fixture
def firehose(aws):
    client = FakeFirehose()
    module = lambda_module("push")  # its composition root first, then this test's adapters
    runtime.use(FirehoseAuditSink("hub-audit", client))
    answer = {"status_code": 1000, "timestamp": "2026-12-01T10:42:00Z"}
    use_client(HttpxOcpiClient(transport=httpx.MockTransport(lambda request: httpx.Response(200, json=answer))))
    yield module, client
    use_client(None)
    runtime.use(None)


def test_a_batch_of_pushes_is_one_firehose_delivery_holding_every_request_and_response(firehose):
    module, client = firehose
    for party_id in EMSPS:
        register_receiver(f"https://emsp-{party_id.lower()}.example", party_id)
    event = {"event": load_event("eventbridge/evse_status_changed.json")["detail"], "lease": None,
             "parties": [f"PARTY#EMSP#PT#{party_id}" for party_id in EMSPS]}

    outcomes = module.push(event, FakeContext())

    assert [outcome["ok"] for outcome in outcomes] == [True] * len(EMSPS)
    [call] = client.calls
    lines = [json.loads(line) for record in call["Records"] for line in record["Data"].decode().splitlines()]
    assert sorted((line["party"], line["direction"]) for line in lines) == sorted(
        (f"PT/{party_id}", direction) for party_id in EMSPS for direction in ("out", "in")
    )
