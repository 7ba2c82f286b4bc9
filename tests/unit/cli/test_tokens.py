"""``mobie-hub tokens sync``: the payload it sends and the one JSON object it prints."""

from __future__ import annotations

import json

import pytest

from mobie_hub.cli import command_line
from mobie_hub.cli import main as cli


class RecordingTransport:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def call(self, name: str, payload: dict) -> dict:
        self.calls.append((name, payload))
        return {"party": "PT/EDP", "counts": {"added": 1}}


@pytest.fixture
def transport(monkeypatch) -> RecordingTransport:
    recording = RecordingTransport()
    monkeypatch.setattr(command_line, "transport", lambda args: recording)
    return recording


@pytest.mark.parametrize(
    ("flags", "payload"),
    [
        ([], {"party": "PT/EDP", "dry_run": False, "invalidate_missing": True}),
        (["--dry-run"], {"party": "PT/EDP", "dry_run": True, "invalidate_missing": True}),
        (["--keep-missing"], {"party": "PT/EDP", "dry_run": False, "invalidate_missing": False}),
    ],
)
def test_sync_sends_the_tokens_sync_operation(transport, capsys, flags, payload):
    assert cli.main(["tokens", "sync", "--party", "PT/EDP", "--json", *flags]) == 0
    assert transport.calls == [("tokens.sync", payload)]
    assert json.loads(capsys.readouterr().out) == {"party": "PT/EDP", "counts": {"added": 1}}


def test_sync_needs_a_party(transport, capsys):
    with pytest.raises(SystemExit):
        cli.main(["tokens", "sync"])
    assert "--party" in capsys.readouterr().err
    assert transport.calls == []


def test_conflicts_sends_the_tokens_conflicts_operation(transport, capsys):
    assert cli.main(["tokens", "conflicts", "--json"]) == 0
    assert transport.calls == [("tokens.conflicts", {})]
    assert json.loads(capsys.readouterr().out) == {"party": "PT/EDP", "counts": {"added": 1}}
