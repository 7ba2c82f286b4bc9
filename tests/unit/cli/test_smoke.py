"""`mobie-hub smoke` without a hub: where the checks go (a stack's outputs, a local hub), and a check that
fails reports why instead of stopping the others (the checks themselves run in tests/e2e/cli/test_smoke.py)."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from mobie_hub.admin.client import AdminError, HttpAdmin, LambdaAdmin
from mobie_hub.cli.command_line import CliError
from mobie_hub.cli.smoke import Credentials, Target, hub_target, run_checks, stack_target

OUTPUTS = {
    "OcpiVersionsUrl": "https://ocpi.mobie.example/ocpi/versions",
    "OcppStationUrl": "wss://ocpp.mobie.example/ocpp/{charge_point_id}",
    "AdminFunctionName": "MobieHub-admin",
}


def _stack(name: str, outputs: dict[str, str]) -> None:
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    boto3.client("cloudformation", region_name="eu-west-1").create_stack(
        StackName=name, TemplateBody=json.dumps(template)
    )


@mock_aws
def test_a_stack_target_comes_from_the_stacks_outputs():
    _stack("MobieHub", OUTPUTS)

    target = stack_target("MobieHub", "eu-west-1")

    assert target.versions_url == "https://ocpi.mobie.example/ocpi/versions"
    assert target.station_url == "wss://ocpp.mobie.example/ocpp"  # the placeholder segment dropped
    assert target.admin == LambdaAdmin("MobieHub", "eu-west-1")


@mock_aws
def test_a_stack_without_the_hubs_outputs_is_refused_by_name():
    _stack("Other", {"AdminFunctionName": "x"})

    with pytest.raises(CliError, match="no OcpiVersionsUrl, OcppStationUrl output"):
        stack_target("Other", "eu-west-1")


def test_a_local_hub_target_is_its_versions_and_ocpp_urls():
    target = hub_target("https://127.0.0.1:8443", "certs/ca.pem")

    assert (target.versions_url, target.station_url) == (
        "https://127.0.0.1:8443/ocpi/versions", "wss://127.0.0.1:8443/ocpp"
    )
    assert isinstance(target.admin, HttpAdmin) and target.admin.ca_file == "certs/ca.pem"
    with pytest.raises(CliError, match="must be an http"):
        hub_target("ftp://hub", None)


class _Admin:
    def call(self, name: str, payload: dict) -> dict:
        raise AdminError("Unreachable", "cannot reach the hub")


def test_a_failing_check_says_why_and_the_others_still_run():
    target = Target("http://127.0.0.1:9/ocpi/versions", "ws://127.0.0.1:9/ocpp", _Admin())  # nothing listens on 9

    results = run_checks(target, Credentials(station_id="LSB-00175", station_password="x" * 16))

    assert [r.name for r in results] == ["admin", "versions", "station", "station-seen"]
    assert not any(r.ok for r in results)
    assert results[0].detail == "admin: Unreachable: cannot reach the hub"
    assert "ConnectError" in results[1].detail and "127.0.0.1:9" not in results[0].detail
