"""The Firehose sink (mobie_hub.audit.firehose_sink): one delivery per batch, nothing lost on refusal."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from mobie_hub.audit import firehose_sink
from mobie_hub.audit.firehose_sink import FirehoseAuditSink
from mobie_hub.audit.record import MARKER, AuditRecord

AT = datetime(2026, 12, 1, 10, 42, 7, tzinfo=UTC)


def frame(n: int, body: str = "[2,\"m\",\"Heartbeat\",{}]") -> AuditRecord:
    return AuditRecord(at=AT, channel="ocpp", direction="in", kind="call", station=f"S{n}", body=body)


class FakeFirehose:
    def __init__(self, refuse: str | None = None, fail: bool = False) -> None:
        self.calls: list[dict] = []
        self.refuse, self.fail = refuse, fail

    def put_record_batch(self, **kwargs):
        self.calls.append(kwargs)
        if self.fail:
            raise ConnectionError("endpoint unreachable")
        results = [{"ErrorCode": "ServiceUnavailableException"} if self.refuse and self.refuse.encode() in r["Data"]
                   else {"RecordId": "1"} for r in kwargs["Records"]]
        return {"FailedPutCount": sum("ErrorCode" in r for r in results), "RequestResponses": results}


def lines(call: dict) -> list[dict]:
    return [json.loads(line) for r in call["Records"] for line in r["Data"].decode().splitlines()]


def test_records_written_in_a_batch_leave_in_one_record_of_json_lines_when_it_closes():
    client = FakeFirehose()
    sink = FirehoseAuditSink("hub-audit", client)
    with sink.batch():
        sink.write([frame(1)])
        with sink.batch():  # nested: still one delivery, at the outer end
            sink.write([frame(2)])
        assert client.calls == []
    [call] = client.calls
    assert call["DeliveryStreamName"] == "hub-audit" and len(call["Records"]) == 1
    assert call["Records"][0]["Data"].endswith(b"\n")
    assert [line["station"] for line in lines(call)] == ["S1", "S2"]
    assert all("audit" not in line for line in lines(call))  # the log marker is not needed in S3


def test_outside_a_batch_each_write_is_delivered_at_once():
    client = FakeFirehose()
    sink = FirehoseAuditSink("hub-audit", client)
    sink.write([frame(1), frame(2)])
    sink.write([frame(3)])
    assert [[line["station"] for line in lines(call)] for call in client.calls] == [["S1", "S2"], ["S3"]]


def test_big_batches_are_split_at_firehoses_record_and_batch_limits(monkeypatch):
    monkeypatch.setattr(firehose_sink, "MAX_RECORD_BYTES", 400)
    monkeypatch.setattr(firehose_sink, "MAX_BATCH_RECORDS", 2)
    client = FakeFirehose()
    sink = FirehoseAuditSink("hub-audit", client)
    sink.write([frame(n, body="x" * 150) for n in range(5)])  # ~250 bytes a line: one line a record
    assert [len(call["Records"]) for call in client.calls] == [2, 2, 1]
    assert [line["station"] for call in client.calls for line in lines(call)] == [f"S{n}" for n in range(5)]
    assert all(len(r["Data"]) <= 400 for call in client.calls for r in call["Records"])


def test_records_firehose_refuses_are_printed_with_the_marker_and_counted(capsys, monkeypatch):
    monkeypatch.setattr(firehose_sink, "MAX_RECORD_BYTES", 200)  # one line a record
    sink = FirehoseAuditSink("hub-audit", FakeFirehose(refuse="S2"))
    sink.write([frame(1), frame(2)])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    [printed] = [line for line in out if line.get("audit") == MARKER]
    assert printed["station"] == "S2" and AuditRecord.model_validate(printed) == frame(2)
    [metric] = [line for line in out if firehose_sink.FALLBACK_METRIC in line]
    assert metric[firehose_sink.FALLBACK_METRIC] == 1


def test_an_unreachable_stream_loses_nothing_and_never_raises(capsys):
    sink = FirehoseAuditSink("hub-audit", FakeFirehose(fail=True))
    with sink.batch():
        sink.write([frame(1), frame(2)])
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if f'"audit":"{MARKER}"' in line]
    assert [line["station"] for line in printed] == ["S1", "S2"]
