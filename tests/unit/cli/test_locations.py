"""``mobie-hub locations set-cpo`` / ``locations list`` and ``parties … --role CPO``: the admin
operation each sends, its payload, and the one JSON object it prints."""

from __future__ import annotations

import json

import pytest

from mobie_hub.cli import main as cli
from tests.unit.cli import test_tokens
from tests.unit.cli.test_tokens import RecordingTransport

transport = test_tokens.transport  # the fixture recording the calls (no hub)

ANSWER = {"party": "PT/EDP", "counts": {"added": 1}}  # what the recording transport answers


@pytest.mark.parametrize(
    ("flags", "payload"),
    [
        ([], {"country_code": None, "operator_name": None}),
        (["--country-code", "PT", "--operator-name", "Galp Power"], {"country_code": "PT", "operator_name": "Galp Power"}),
    ],
)
def test_set_cpo_sends_the_locations_set_cpo_operation(transport: RecordingTransport, capsys, flags, payload):
    assert cli.main(["locations", "set-cpo", "LSB-00175", "--party-id", "GLP", "--json", *flags]) == 0
    assert transport.calls == [("locations.set_cpo", {"location_id": "LSB-00175", "party_id": "GLP", **payload})]
    assert json.loads(capsys.readouterr().out) == ANSWER


def test_set_cpo_needs_a_party_id(transport, capsys):
    with pytest.raises(SystemExit):
        cli.main(["locations", "set-cpo", "LSB-00175"])
    assert "--party-id" in capsys.readouterr().err
    assert transport.calls == []


def test_list_filters_by_party(transport):
    assert cli.main(["locations", "list", "--party-id", "GLP", "--json"]) == 0
    assert transport.calls == [("locations.list", {"party_id": "GLP", "country_code": None})]


@pytest.mark.parametrize("command", ["invite", "show", "unregister"])
def test_party_commands_take_role_cpo(transport, command):
    assert cli.main(["parties", command, "--role", "cpo", "--country-code", "PT", "--party-id", "GLP", "--json"]) == 0
    assert transport.calls[0][1]["role"] == "CPO"


def test_register_takes_role_cpo(transport):
    cli.main(["parties", "register", "--versions-url", "https://cpo.test/ocpi/versions", "--token-a", "t",
              "--role", "CPO", "--json"])
    assert transport.calls[0] == ("parties.register", {
        "versions_url": "https://cpo.test/ocpi/versions", "token_a": "t", "role": "CPO",
        "country_code": None, "party_id": None, "client_cert": None,
    })
