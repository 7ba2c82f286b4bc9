"""The OCPP gateway construct synthesized alone, in the shapes its tests read (test_ocpp_gateway.py,
test_ocpp_edge.py), each made once a session by the fixtures of tests/infra/conftest.py (a synth runs
jsii and cdk-nag: seconds)."""

from __future__ import annotations

from typing import Any

from aws_cdk import App, Stack, Validations
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from infra.config import StationDomain
from infra.constructs.data import Data
from infra.constructs.function_factory import FunctionFactory
from infra.constructs.ocpp_gateway import OcppGateway

WEB_ACL_ARN = (
    "arn:aws:wafv2:us-east-1:123456789012:global/webacl/mobie-hub-ocpp/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
)
STATION_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8877-665544332211"


def gateway_template(region: str = "eu-west-1", **options: Any) -> Template:
    app = App()
    stack = Stack(app, "Ocpp", env={"account": "123456789012", "region": region})
    data = Data(stack, "Data", retain=False)
    OcppGateway(
        stack,
        "OcppGateway",
        factory=FunctionFactory(layers=[], tables=data.tables),
        retain_logs=False,
        **options,
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return Template.from_stack(stack)  # synthesises: an unacknowledged cdk-nag finding raises here


def default_gateway() -> Template:
    """The defaults, in the default region (eu-west-1): no web ACL can be made here."""
    return gateway_template()


def us_east_1_open_gateway() -> Template:
    """In us-east-1 (the stack makes its web ACL), with the stations opened."""
    return gateway_template("us-east-1", insecure_open_stations=True)


def station_domain_gateway() -> Template:
    """A station domain with its us-east-1 certificate, and the station path's reserved concurrency."""
    return gateway_template(
        station_domain=StationDomain("ocpp.mobie.example", STATION_CERTIFICATE),
        reserved_concurrency={
            "Message": 120, "Authorizer": 30, "Connect": 30, "Disconnect": 20, "Watchdog": 1
        },
    )


def resources(template: Template, kind: str, **properties: Any) -> dict[str, dict]:
    return template.find_resources(kind, {"Properties": properties} if properties else None)


def only(template: Template, kind: str, **properties: Any) -> dict:
    found = resources(template, kind, **properties)
    assert len(found) == 1, f"{kind} {properties}: {len(found)} found"
    return next(iter(found.values()))["Properties"]
