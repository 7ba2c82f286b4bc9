"""Long admin operations show what they do on a terminal, and nothing with --json or in a pipe
(issue #15 item 4)."""

from __future__ import annotations

import io
import json
import sys

import pytest

from mobie_hub.cli import command_line
from mobie_hub.cli import main as cli
from mobie_hub.cli.progress import counted, working


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_operation_is_shown_while_it_runs():
    terminal = Terminal()
    with working("importing 4,812 locations", stream=terminal):
        pass
    assert "importing 4,812 locations" in terminal.getvalue()


@pytest.mark.parametrize(("stream", "quiet"), [(Terminal(), True), (io.StringIO(), False)])
def test_with_json_or_without_a_terminal_nothing_is_written(stream, quiet):
    with working("importing 3 tariffs", quiet=quiet, stream=stream):
        pass
    assert stream.getvalue() == ""


def test_the_count_is_of_the_objects_sent():
    assert counted([{}] * 4812, "locations") == "4,812 locations"
    assert counted({"not": "a list"}, "tariffs") == "tariffs"


class RecordingTransport:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def call(self, name: str, payload: dict) -> dict:
        self.calls.append(name)
        return {"created": len(payload["locations"])}


@pytest.fixture
def hub(monkeypatch) -> RecordingTransport:
    recording = RecordingTransport()
    monkeypatch.setattr(command_line, "transport", lambda args: recording)
    return recording


@pytest.fixture
def locations_file(tmp_path):
    source = tmp_path / "locations.json"
    source.write_text(json.dumps([{"id": "A"}, {"id": "B"}]))
    return str(source)


def on_a_terminal(monkeypatch) -> Terminal:
    """stderr a terminal; set in the test itself (pytest's capture sets sys.stderr again after setup)."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    return terminal


def test_an_import_on_a_terminal_says_how_many_objects_it_imports(hub, monkeypatch, capsys, locations_file):
    terminal = on_a_terminal(monkeypatch)
    assert cli.main(["locations", "import", locations_file]) == 0
    assert "importing 2 locations" in terminal.getvalue()
    assert "created: 2" in capsys.readouterr().out


def test_an_import_with_json_prints_one_object_and_nothing_else(hub, monkeypatch, capsys, locations_file):
    terminal = on_a_terminal(monkeypatch)
    assert cli.main(["locations", "import", locations_file, "--json"]) == 0

    assert json.loads(capsys.readouterr().out) == {"created": 2} and hub.calls == ["locations.import"]
    assert terminal.getvalue() == ""  # even on a terminal: --json is for scripts
