"""``mobie-hub cdrs credit CDR_ID --reason TEXT``: the payload it sends, what it prints, the hub's
refusal on stderr; and the ``cdrs`` group it shares with other CDR sub-commands."""

from __future__ import annotations

import argparse
import json

import pytest

from mobie_hub.admin.client import AdminError
from mobie_hub.cli import command_line
from mobie_hub.cli import main as cli
from mobie_hub.cli.cdrs_credit import add_cdrs_credit_command

ANSWER = {"credit_id": "C-1", "credit_reference_id": "CDR-1", "owner": "PT/EDP",
          "total_cost": {"excl_vat": "-6.39", "incl_vat": "-7.86"}, "last_updated": "2026-12-03T10:00:00Z"}


class RecordingTransport:
    def __init__(self, refuse: AdminError | None = None) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.refuse = refuse

    def call(self, name: str, payload: dict) -> dict:
        self.calls.append((name, payload))
        if self.refuse:
            raise self.refuse
        return ANSWER


@pytest.fixture
def transport(monkeypatch) -> RecordingTransport:
    recording = RecordingTransport()
    monkeypatch.setattr(command_line, "transport", lambda args: recording)
    return recording


def test_credit_sends_the_cdrs_credit_operation_and_prints_its_answer(transport, capsys):
    assert cli.main(["cdrs", "credit", "CDR-1", "--reason", "wrong tariff", "--json"]) == 0
    assert transport.calls == [("cdrs.credit", {"cdr_id": "CDR-1", "reason": "wrong tariff"})]
    assert json.loads(capsys.readouterr().out) == ANSWER


def test_credit_prints_a_readable_summary(transport, capsys):
    assert cli.main(["cdrs", "credit", "CDR-1", "--reason", "wrong tariff"]) == 0
    out = capsys.readouterr().out
    assert "credit_id: C-1" in out and "credit_reference_id: CDR-1" in out


def test_credit_needs_a_reason(transport, capsys):
    with pytest.raises(SystemExit):
        cli.main(["cdrs", "credit", "CDR-1"])
    assert "--reason" in capsys.readouterr().err
    assert transport.calls == []


def test_the_hubs_refusal_goes_to_stderr_with_exit_1(transport, capsys):
    transport.refuse = AdminError("AlreadyCredited", "CDR CDR-1 is credited already by credit CDR C-1")
    assert cli.main(["cdrs", "credit", "CDR-1", "--reason", "again"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "mobie-hub: AlreadyCredited: CDR CDR-1 is credited already by credit CDR C-1\n"


def test_credit_joins_a_cdrs_group_another_module_made():
    parser = argparse.ArgumentParser(prog="mobie-hub")
    commands = parser.add_subparsers(dest="command", required=True)
    other = commands.add_parser("cdrs").add_subparsers(dest="action", required=True)
    other.add_parser("retry")

    add_cdrs_credit_command(commands)

    assert set(other.choices) == {"retry", "credit"}
    assert parser.parse_args(["cdrs", "credit", "X", "--reason", "r"]).cdr_id == "X"
    assert parser.parse_args(["cdrs", "retry"]).action == "retry"
