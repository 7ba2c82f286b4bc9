"""The infra suite synthesizes each app once per session (synth runs jsii and takes seconds).

Assertions read the template of the cloud assembly, after ``app.synth()``: that is the path where the
cdk-nag AwsSolutions checks run, so a finding nobody acknowledged fails the fixture, hence every test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk.assertions import Template

from infra.app import build_app
from infra.constants import ROOT
from infra.stack import MobieHubStack
from tests.infra import ocpp_templates

REGION = "eu-west-1"
ACCOUNT = "123456789012"
DOMAIN = {
    "domain_name": "ocpi.mobie.example",
    "certificate_arn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8877-665544332211",
    "truststore_uri": "s3://mobie-truststore/ocpi/emsp-ca.pem",
    "truststore_version": "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY",
    "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
    "hosted_zone_name": "mobie.example",
}
# CDK skips asset bundling for stacks not listed here: no pip, no copying, in unit tests.
NO_BUNDLING = {"aws:cdk:bundling-stacks": []}


def cdk_json_context() -> dict[str, Any]:
    """The context `cdk synth` gets from cdk.json (feature flags, region), so tests synth the same app."""
    return json.loads((ROOT / "cdk.json").read_text())["context"]


@dataclass(frozen=True)
class Synthesized:
    stack: MobieHubStack
    template: Template
    outdir: Path

    @property
    def resources(self) -> dict[str, dict]:
        return self.template.to_json()["Resources"]

    def logical_id(self, construct) -> str:
        element = construct.node.default_child if not hasattr(construct, "logical_id") else construct
        return Stack.of(construct).resolve(element.logical_id)

    def of_type(self, resource_type: str) -> dict[str, dict]:
        return {key: value for key, value in self.resources.items() if value["Type"] == resource_type}


def synthesize(context: dict[str, Any], outdir: Path) -> Synthesized:
    app, stack = build_app(
        {**cdk_json_context(), **NO_BUNDLING, "account": ACCOUNT, **context}, outdir=str(outdir)
    )
    assembly = app.synth()  # raises if cdk-nag reports an unacknowledged finding
    template = Template.from_json(assembly.get_stack_by_name(stack.stack_name).template)
    return Synthesized(stack=stack, template=template, outdir=outdir)


@pytest.fixture(scope="session")
def prod(tmp_path_factory) -> Iterator[Synthesized]:
    """The production shape: mTLS custom domain, Route 53 alias, retained data."""
    yield synthesize(DOMAIN, tmp_path_factory.mktemp("cdk-prod"))


@pytest.fixture(scope="session")
def dev(tmp_path_factory) -> Iterator[Synthesized]:
    """`-c dev=true` without domain: execute-api endpoint on, no mTLS, throwaway data."""
    yield synthesize({"dev": "true"}, tmp_path_factory.mktemp("cdk-dev"))


# The OCPP gateway construct alone, in the shapes test_ocpp_gateway.py and test_ocpp_edge.py read.
@pytest.fixture(scope="session")
def ocpp_template() -> Template:
    return ocpp_templates.default_gateway()


@pytest.fixture(scope="session")
def ocpp_us_east_1_open() -> Template:
    return ocpp_templates.us_east_1_open_gateway()


@pytest.fixture(scope="session")
def ocpp_station_domain() -> Template:
    return ocpp_templates.station_domain_gateway()
