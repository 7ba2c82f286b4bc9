"""The audit record's line and the query filters (mobie_hub.audit.record)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from mobie_hub.audit.record import MARKER, AuditQuery, AuditRecord

AT = datetime(2026, 12, 1, 10, 42, 7, tzinfo=UTC)


def record(**fields) -> AuditRecord:
    return AuditRecord(**{"at": AT, "channel": "ocpi", "direction": "in", "kind": "request", **fields})


def test_a_record_is_one_json_line_with_the_marker_and_no_empty_fields():
    line = record(party="PT/EDP", correlation_id="c-1").line()
    assert "\n" not in line
    assert json.loads(line) == {
        "audit": MARKER,
        "at": "2026-12-01T10:42:07Z",
        "channel": "ocpi",
        "direction": "in",
        "kind": "request",
        "party": "PT/EDP",
        "correlation_id": "c-1",
    }  # body_truncated is written only when true (it reads back as false)


def test_a_line_for_the_delivery_stream_has_no_marker_and_reads_back_as_the_same_record():
    original = record(party="PT/EDP", body="[2,\"m1\",\"Heartbeat\",{}]", body_truncated=True)
    line = original.line(marker=False)
    assert "audit" not in json.loads(line) and json.loads(line)["body_truncated"] is True
    assert AuditRecord.model_validate_json(line) == original
    assert AuditRecord.model_validate_json(record().line(marker=False)).body_truncated is False


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ({"correlation_id": "c-1"}, True),
        ({"correlation_id": "c-2"}, False),
        ({"party": "pt/edp"}, True),
        ({"party": "PT/GLP"}, False),
        ({"session": "S-1"}, True),
        ({"session": "42"}, False),
        ({"since": "2026-12-01T10:42:00Z", "until": "2026-12-01T10:43:00Z"}, True),
        ({"since": "2026-12-01T10:43:00Z"}, False),
        ({"until": "2026-12-01T10:42:00Z"}, False),
    ],
)
def test_every_given_filter_must_match(query, matches):
    assert (
        AuditQuery(**query).matches(record(party="PT/EDP", correlation_id="c-1", session_id="S-1")) is matches
    )


def test_an_ocpp_transaction_id_answers_a_session_query():
    assert AuditQuery(session="42").matches(record(channel="ocpp", kind="call", transaction_id="42"))


def test_a_party_must_be_country_slash_party_id():
    with pytest.raises(ValidationError):
        AuditQuery(party="EDP")


def test_line_separators_and_lone_surrogates_are_escaped_and_read_back():
    # issue #12 finding 6: U+2028 written raw split the line for str.splitlines
    text = "a\u2028b\u2029c\u0085d\x0be\x1cf\r\ng"
    line = record(body=text, message_id="\ud800").line()
    assert line.splitlines() == [line] and "\u2028" not in line and "\u0085" not in line
    line.encode("utf-8")  # a lone surrogate would make this (and the whole flush) fail
    back = AuditRecord.model_validate_json(line)
    assert back.body == text and back.message_id == "\\ud800"


def test_a_record_stays_under_the_cloudwatch_event_size_whatever_escaping_costs():
    from mobie_hub.audit.record import MAX_LINE_BYTES

    line = record(body="\u2028" * 100_000).line()  # 100,000 characters, 6 bytes each once escaped
    assert len(line.encode()) <= MAX_LINE_BYTES and json.loads(line)["body_truncated"] is True


def test_an_ocpp_record_stores_its_message_id_once_in_the_frame_and_reads_it_back():
    frame = '[2,"m\\"7","MeterValues",{"connectorId":1}]'
    original = AuditRecord(at=AT, channel="ocpp", direction="in", kind="call", station="S1",
                           action="MeterValues", message_id='m"7', body=frame)
    line = original.line(marker=False)
    assert "message_id" not in json.loads(line)  # ~50 bytes a record saved: the id is in the body
    assert AuditRecord.model_validate_json(line) == original
    # a body that does not start with that id keeps the field
    other = original.model_copy(update={"message_id": "m8"})
    assert json.loads(other.line())["message_id"] == "m8"
    unreadable = original.model_copy(update={"body": "{not a frame"})
    assert AuditRecord.model_validate_json(unreadable.line()).message_id == 'm"7'
