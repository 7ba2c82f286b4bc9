"""`mobie-hub audit`: the payload it sends and how it prints (the transport is a fake)."""

from __future__ import annotations

import json

import pytest

from mobie_hub.cli import command_line
from mobie_hub.cli import main as cli
from mobie_hub.cli.audit import moment, render


class Transport:
    def __init__(self, result):
        self.result, self.calls = result, []

    def call(self, name, payload):
        self.calls.append((name, payload))
        return self.result


RESULT = {
    "count": 2,
    "records": [
        {
            "at": "2026-12-01T10:42:00Z",
            "channel": "ocpi",
            "direction": "in",
            "kind": "request",
            "party": "PT/EDP",
            "method": "PUT",
            "url": "/ocpi/2.2.1/tokens/PT/EDP/04A1",
            "correlation_id": "c-1",
            "request_id": "r-1",
            "body": '{"uid":"04A1"}',
        },
        {
            "at": "2026-12-01T10:42:00.2Z",
            "channel": "ocpi",
            "direction": "out",
            "kind": "response",
            "party": "PT/EDP",
            "method": "PUT",
            "url": "/ocpi/2.2.1/tokens/PT/EDP/04A1",
            "http_status": 200,
            "ocpi_status": 1000,
            "correlation_id": "c-1",
            "request_id": "r-1",
        },
    ],
}


@pytest.fixture
def transport(monkeypatch):
    fake = Transport(RESULT)
    monkeypatch.setattr(command_line, "transport", lambda args: fake)
    return fake


def test_the_filters_go_to_the_audit_find_operation(transport, capsys):
    code = cli.main(
        ["audit", "--party", "PT/EDP", "--correlation-id", "c-1", "--since", "2026-12-01T10:40:00Z", "--json"]
    )
    assert code == 0
    assert transport.calls == [
        ("audit.find", {"party": "PT/EDP", "correlation_id": "c-1", "since": "2026-12-01T10:40:00Z"})
    ]
    assert json.loads(capsys.readouterr().out) == RESULT


def test_without_json_each_message_is_a_line_and_its_body(transport, capsys):
    cli.main(["audit", "--station", "LSB-00175"])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2026-12-01T10:42:00Z  ocpi request") and "→ hub PT/EDP" in out[0]
    assert "correlation_id=c-1" in out[0] and out[1].strip() == '{"uid":"04A1"}'
    assert "200/1000" in out[2] and out[-1] == "2 message(s)"


def test_an_age_is_a_moment_before_now():
    assert moment("15m") < moment("1m") and moment("2026-12-01T10:40:00Z") == "2026-12-01T10:40:00Z"


def test_render_of_nothing():
    assert render({"count": 0, "records": []}) == "0 message(s)"


def test_skipped_unreadable_lines_are_said():
    text = render({"count": 0, "records": [], "skipped_lines": 3})
    assert text == "0 message(s)\n3 unreadable line(s) in the audit store skipped"
