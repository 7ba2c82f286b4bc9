"""``mobie-hub stations set-password``: one station, ``--from-file CSV`` or ``--generate``, each to its
admin operation; ``simulate station`` asks the hub for a demo password only without ``--password``."""

from __future__ import annotations

import pytest

from mobie_hub.cli import stations as ocpp_cli
from mobie_hub.cli.main import CliError, build_parser


def parsed(*argv: str):
    return build_parser().parse_args(["stations", "set-password", *argv])


def operation_and_payload(*argv: str) -> tuple[str, dict]:
    args = parsed(*argv)
    return ocpp_cli._password_operation(args), ocpp_cli._password_payload(args)


def test_one_station_a_csv_or_generated_passwords(tmp_path):
    csv = tmp_path / "passwords.csv"
    csv.write_text("station_id,password\nLSB-00175,0123456789abcdef\n\n PRT-00042 ,fedcba9876543210\n")

    assert operation_and_payload("LSB-00175", "0123456789abcdef") == (
        "stations.set_password", {"station_id": "LSB-00175", "password": "0123456789abcdef", "hex": False}
    )
    assert operation_and_payload("--from-file", str(csv), "--hex") == (
        "stations.set_passwords",
        {"passwords": [
            {"station_id": "LSB-00175", "password": "0123456789abcdef", "hex": True},
            {"station_id": "PRT-00042", "password": "fedcba9876543210", "hex": True},
        ]},
    )
    assert operation_and_payload("--generate", "A", "B") == (
        "stations.generate_passwords", {"station_ids": ["A", "B"], "all": False}
    )
    assert operation_and_payload("--generate", "--all") == (
        "stations.generate_passwords", {"station_ids": [], "all": True}
    )


@pytest.mark.parametrize(
    "argv",
    [
        ("LSB-00175",),  # no password
        ("LSB-00175", "pw", "--generate", "X"),  # both ways
        ("--generate",),  # neither ids nor --all
        ("--generate", "X", "--all"),  # both
        ("--all",),  # --all without --generate
    ],
)
def test_ambiguous_command_lines_are_refused(argv):
    with pytest.raises(CliError):
        ocpp_cli._password_payload(parsed(*argv))


def test_csv_rows_must_be_two_columns(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("LSB-00175,pw,extra\n")
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('LSB-00175,"a, quoted password"\n')

    with pytest.raises(CliError, match="bad rows: \\[1\\]"):
        ocpp_cli._password_rows(str(bad))
    rows = ocpp_cli._password_rows(str(quoted))
    assert rows == [{"station_id": "LSB-00175", "password": "a, quoted password"}]


def test_the_demo_password_is_asked_of_the_hub_at_the_urls_origin_only_for_ws_urls():
    assert ocpp_cli._demo_password("mqtt://example/ocpp", "LSB-00175") is None
    assert ocpp_cli._demo_password("ws://127.0.0.1:9/ocpp", "LSB-00175") is None  # nothing listens: none
