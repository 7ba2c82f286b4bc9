"""The local console (issue #15 item 4): the hub's JSON log lines and audit records shown as one
readable line per event; metrics dropped; nothing of what is logged changes."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from mobie_hub.audit.record import AuditRecord
from mobie_hub.cli.serve import console_wanted
from mobie_hub.local.console import ConsoleAuditSink, ConsoleStream, HubConsole

AT = datetime(2026, 12, 3, 10, 42, 1, tzinfo=UTC)


def shown(console_out: io.StringIO) -> list[str]:
    return [line for line in console_out.getvalue().splitlines() if line]


@pytest.fixture
def out() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def console(out) -> HubConsole:
    return HubConsole(out, color=False)


def test_a_log_line_reads_as_level_message_and_its_keys(console, out):
    console.log_line(json.dumps({"level": "WARNING", "location": "x:1", "message": "push failed",
                                 "timestamp": "2026-12-03 10:42:01,000+0000", "service": "mobie-hub",
                                 "party": "PT/EDP", "reason": "timeout"}))
    [line] = shown(out)
    assert "WARN push failed  party=PT/EDP  reason=timeout" in line
    assert "location" not in line and "service" not in line and "{" not in line


def test_metrics_are_dropped_and_plain_text_passes(console, out):
    console.log_line(json.dumps({"_aws": {"CloudWatchMetrics": []}, "OcpiRequests": 1}))
    console.log_line("INFO:     Uvicorn running on http://127.0.0.1:8080")
    assert shown(out) == ["INFO:     Uvicorn running on http://127.0.0.1:8080"]


def test_what_the_audit_lines_show_is_not_said_twice(console, out):
    console.log_line(json.dumps({"level": "INFO", "message": "request refused", "reason": "x"}))
    console.log_line(json.dumps({"level": "INFO", "message": "ocpi call", "url": "https://emsp"}))
    assert shown(out) == []


def test_an_ocpi_call_in_names_the_party_the_call_and_its_outcome(console, out):
    body = json.dumps({"status_code": 2001, "status_message": "uid: too long", "timestamp": "x"})
    console.audit(AuditRecord(at=AT, channel="ocpi", direction="in", kind="request", party="PT/EDP",
                              method="PUT", url="/ocpi/2.2.1/tokens/PT/EDP/1"))
    console.audit(AuditRecord(at=AT, channel="ocpi", direction="out", kind="response", party="PT/EDP",
                              method="PUT", url="/ocpi/2.2.1/tokens/PT/EDP/1", http_status=400,
                              ocpi_status=2001, duration_ms=12.3, body=body))
    [line] = shown(out)
    assert "OCPI PT/EDP → hub  PUT /ocpi/2.2.1/tokens/PT/EDP/1  400 · 2001  uid: too long  12 ms" in line


def test_a_push_and_a_command_answer_show_who_and_the_result(console, out):
    console.audit(AuditRecord(at=AT, channel="ocpi", direction="in", kind="response", party="PT/EDP",
                              method="PUT", url="https://emsp.example/ocpi/sessions/PT/MOB/S1",
                              http_status=200, ocpi_status=1000, duration_ms=30))
    command = json.dumps({"status_code": 1000, "data": {"result": "ACCEPTED", "timeout": 30}})
    console.audit(AuditRecord(at=AT, channel="ocpi", direction="out", kind="response", party="PT/EDP",
                              module="commands", method="POST", url="/ocpi/2.2.1/commands/START_SESSION",
                              http_status=200, ocpi_status=1000, body=command))
    push, answer = shown(out)
    assert "OCPI hub → PT/EDP  PUT https://emsp.example/ocpi/sessions/PT/MOB/S1  200 · 1000  30 ms" in push
    assert "POST /ocpi/2.2.1/commands/START_SESSION  200 · 1000  ACCEPTED" in answer


def test_an_ocpp_exchange_is_one_line_when_its_answer_comes(console, out):
    console.audit(AuditRecord(at=AT, channel="ocpp", direction="in", kind="call", station="LSB-1",
                              message_id="m1", action="StartTransaction",
                              body='[2,"m1","StartTransaction",{}]'))
    assert shown(out) == []
    console.audit(AuditRecord(at=AT, channel="ocpp", direction="out", kind="callresult", station="LSB-1",
                              message_id="m1",
                              body='[3,"m1",{"idTagInfo":{"status":"Invalid"},"transactionId":7}]'))
    console.audit(AuditRecord(at=AT, channel="ocpp", direction="out", kind="call", station="LSB-1",
                              message_id="h1", action="ChangeConfiguration"))
    console.audit(AuditRecord(at=AT, channel="ocpp", direction="in", kind="callerror", station="LSB-1",
                              message_id="h1", error_code="NotImplemented",
                              body='[4,"h1","NotImplemented","no handler",{}]'))
    started, refused = shown(out)
    assert "OCPP LSB-1 → hub  StartTransaction  Invalid  transaction 7" in started
    assert "OCPP hub → LSB-1  ChangeConfiguration  CALLERROR NotImplemented  no handler" in refused


def test_an_ocpp_call_says_what_it_is_about(console, out):
    console.audit(AuditRecord(at=AT, channel="ocpp", direction="in", kind="call", station="LSB-1",
                              message_id="s", action="StatusNotification",
                              body='[2,"s","StatusNotification",{"connectorId":2,"status":"Faulted",'
                                   '"errorCode":"GroundFailure"}]'))
    console.audit(AuditRecord(at=AT, channel="ocpp", direction="out", kind="callresult", station="LSB-1",
                              message_id="s", body='[3,"s",{}]'))
    [line] = shown(out)
    assert "LSB-1 → hub  StatusNotification  (connector 2, Faulted, GroundFailure)  ok" in line


def test_the_stream_hands_over_whole_lines(console, out):
    stream = ConsoleStream(console)
    stream.write('{"level":"INFO","message":"hub ')
    assert shown(out) == []
    stream.write('listening"}\nplain')
    stream.flush()
    assert "INFO hub listening" in shown(out)[0] and shown(out)[1] == "plain"


class Kept:
    def __init__(self) -> None:
        self.records: list[AuditRecord] = []

    def write(self, records):
        self.records.extend(records)


def test_the_audit_sink_still_stores_every_record(console, out):
    inner = Kept()
    record = AuditRecord(at=AT, channel="ocpi", direction="out", kind="response", party="PT/EDP",
                         method="GET", url="/ocpi/versions", http_status=200, ocpi_status=1000)
    ConsoleAuditSink(inner, console).write([record])  # type: ignore[arg-type]
    assert inner.records == [record] and len(shown(out)) == 1


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("log_format", "terminal", "wanted"), [
    ("auto", True, True), ("auto", False, False), ("json", True, False), ("console", False, True),
])
def test_the_console_is_for_terminals_unless_told(log_format, terminal, wanted):
    assert console_wanted(log_format, Terminal() if terminal else io.StringIO()) is wanted


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="log format"):
        console_wanted("yaml", io.StringIO())
