"""The audit adapters: the embedded store (S3 laid out as Firehose does) and the AWS log-line sink."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from mobie_hub.audit import runtime
from mobie_hub.audit.admin import audit_find
from mobie_hub.audit.log_sink import LogLineSink
from mobie_hub.audit.record import MARKER, AuditQuery, AuditRecord
from mobie_hub.audit.store_embedded import BUCKET, EmbeddedAuditStore
from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.observability import count

T0 = datetime(2026, 11, 30, 23, 59, 59, tzinfo=timezone.utc)


def record(at: datetime, **fields) -> AuditRecord:
    return AuditRecord(at=at, channel="ocpp", direction="in", kind="call", station="LSB-00175", **fields)


@pytest.fixture
def store(aws) -> EmbeddedAuditStore:
    return EmbeddedAuditStore(flush_seconds=None)


def test_records_are_buffered_then_written_per_day_partition(store):
    # Given two records either side of midnight, written to the store
    store.write([record(T0, message_id="a"), record(T0 + timedelta(seconds=2), message_id="b")])
    # Then nothing reached S3 yet (no round trip on write) ...
    assert "Contents" not in store._s3.list_objects_v2(Bucket=BUCKET)
    # ... until a flush writes one JSON-lines object per day, as Firehose partitions them
    assert store.flush() == 2
    keys = [o["Key"] for o in store._s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert sorted(k.split("/")[1] for k in keys) == ["day=2026-11-30", "day=2026-12-01"]


def test_find_flushes_first_and_reads_only_the_days_asked_for(store):
    store.write([record(T0, message_id="a"), record(T0 + timedelta(days=2), message_id="c")])
    found = store.find(AuditQuery(since=T0 - timedelta(hours=1), until=T0 + timedelta(hours=1)))
    assert [r.message_id for r in found.records] == ["a"]
    assert [r.message_id for r in store.find(AuditQuery(station="LSB-00175")).records] == ["a", "c"]


def test_the_admin_operation_answers_from_the_installed_finder(store):
    runtime.use(store, store)
    try:
        store.write([record(T0, message_id="a", transaction_id="42")])
        result = audit_find({"session": "42"})
        with pytest.raises(InvalidRequest):
            audit_find({"since": "2026-12-02T00:00:00Z", "until": "2026-12-01T00:00:00Z"})
    finally:
        runtime.use(None)
    assert (
        result["count"] == 1
        and result["records"][0]["message_id"] == "a"
        and "audit" not in result["records"][0]
    )


def test_the_aws_sink_prints_one_marked_json_line_per_record(capsys):
    LogLineSink().write([record(T0, message_id="a"), record(T0, message_id="b")])
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["message_id"] for line in lines] == ["a", "b"]
    assert all(json.loads(line)["audit"] == MARKER for line in lines)  # what the subscription filter selects


def test_a_metric_is_published_with_its_dimensions_and_as_a_total(capsys):
    count("PushFailed", module="locations", party="PT/EDP")
    emf = json.loads(capsys.readouterr().out)
    [directive] = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "MobieHub" and directive["Dimensions"] == [["module", "party"], []]
    assert emf["PushFailed"] == 1 and emf["party"] == "PT/EDP"


SEPARATORS = "line\u2028separator\u2029paragraph\u0085next\x0bvt\x0cff\x1cfs\x1dgs\x1ers\r\ncrlf"


def test_a_record_holding_every_line_separator_is_one_physical_line_and_reads_back_whole(store):
    # Given a record whose body holds every character some reader ends a line at
    store.write([record(T0, message_id="a", body=SEPARATORS), record(T0, message_id="b")])
    store.flush()
    # Then the stored object has one line per record, for str.splitlines as for "\n"
    [key] = [o["Key"] for o in store._s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    text = store._s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
    assert len(text.splitlines()) == len(text.split("\n")) - 1 == 2
    # And the body reads back exactly as written
    found = store.find(AuditQuery(station="LSB-00175"))
    assert [r.body for r in found.records] == [SEPARATORS, None] and found.skipped_lines == 0


def test_an_unreadable_line_is_skipped_and_counted_never_fatal(store):
    # Given an object with a good record, a broken line, an old unescaped U+2028 line and bad UTF-8
    good = record(T0, message_id="good").line()
    legacy = '{"at":"2026-11-30T23:59:59Z","channel":"ocpi","direction":"in","kind":"request","body":"a\u2028b"}'
    body = f"{good}\n{{not json\n{legacy}\n".encode() + b"\xff\xfe\n"
    store._s3.put_object(Bucket=BUCKET, Key="audit/day=2026-11-30/old.jsonl", Body=body)
    # When the trail is queried (the admin operation, as `mobie-hub audit` asks it)
    runtime.use(store, store)
    try:
        result = audit_find({"since": "2026-11-30T00:00:00Z", "until": "2026-12-01T00:00:00Z"})
    finally:
        runtime.use(None)
    # Then the readable records come back (the old U+2028 one too) and the others are counted
    assert [r.get("message_id") for r in result["records"]] == ["good", None]
    assert result["records"][1]["body"] == "a\u2028b"
    assert result["count"] == 2 and result["skipped_lines"] == 2


def test_the_aws_sink_prints_a_record_with_line_separators_as_one_line(capsys):
    # CloudWatch Logs, Firehose (AppendDelimiterToRecord) and Athena's line reader split at "\n" (and
    # "\r"); the record escapes those and every other separator, so each reader sees one line.
    LogLineSink().write([record(T0, message_id="a", body=SEPARATORS)])
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and len(out.splitlines()) == 1 and "\r" not in out
    assert json.loads(out)["body"] == SEPARATORS
