"""``mobie-hub cdrs undelivered [--json]`` and ``cdrs redeliver CDR_ID``: the operations they call and
what they print."""

from __future__ import annotations

import json

import pytest

from mobie_hub.cli import command_line
from mobie_hub.cli import main as cli

ANSWER = {
    "count": 2,
    "deliveries": [
        {"cdr_id": "CDR-1", "party": "PARTY#EMSP#PT#EDP", "status": "FAILED", "attempts": 9,
         "next_attempt_at": None, "last_attempt_at": "2026-12-03T10:00:00.000Z", "last_error": "HTTP 307"},
        {"cdr_id": "CDR-2", "party": "PARTY#EMSP#PT#GLG", "status": "PENDING", "attempts": 2,
         "next_attempt_at": "2026-12-03T10:15:00.000Z", "last_attempt_at": "2026-12-03T10:00:00.000Z",
         "last_error": None},
    ],
}


class RecordingTransport:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def call(self, name: str, payload: dict) -> dict:
        self.calls.append((name, payload))
        return ANSWER


@pytest.fixture
def transport(monkeypatch) -> RecordingTransport:
    recording = RecordingTransport()
    monkeypatch.setattr(command_line, "transport", lambda args: recording)
    return recording


def test_undelivered_json_prints_exactly_the_hubs_answer(transport, capsys):
    assert cli.main(["cdrs", "undelivered", "--json"]) == 0
    assert transport.calls == [("cdrs.undelivered", {})]
    assert json.loads(capsys.readouterr().out) == ANSWER


def test_undelivered_prints_one_line_per_cdr_and_the_count(transport, capsys):
    assert cli.main(["cdrs", "undelivered"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "FAILED    CDR-1  PARTY#EMSP#PT#EDP  attempts=9  last_error=HTTP 307",
        "PENDING   CDR-2  PARTY#EMSP#PT#GLG  attempts=2  next=2026-12-03T10:15:00.000Z",
        "2 undelivered CDR(s)",
    ]


def test_redeliver_sends_the_cdr_id(transport, capsys):
    assert cli.main(["cdrs", "redeliver", "CDR-1", "--json"]) == 0
    assert transport.calls == [("cdrs.redeliver", {"cdr_id": "CDR-1"})]
