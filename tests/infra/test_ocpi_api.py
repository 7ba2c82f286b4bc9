"""OCPI API construct: routes to each module's function, mutual TLS on the custom domain, stage settings."""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk.assertions import Match

from infra.constants import STAGE_NAME, THROTTLE_BURST_LIMIT, THROTTLE_RATE_LIMIT
from mobie_hub.core.modules import MODULES

from .conftest import DOMAIN

pytestmark = pytest.mark.infra


def _paths(synth) -> dict[str, str]:
    """API resource logical id → full path, walking PathPart up to the root."""
    resources = synth.of_type("AWS::ApiGateway::Resource")

    def path(logical_id: str) -> str:
        properties = resources[logical_id]["Properties"]
        parent = properties["ParentId"]
        prefix = path(parent["Ref"]) if "Ref" in parent else ""
        return f"{prefix}/{properties['PathPart']}"

    return {logical_id: path(logical_id) for logical_id in resources}


def _routes(synth) -> dict[tuple[str, str], str]:
    """(path, HTTP method) → logical id of the Lambda function the method proxies to."""
    paths = _paths(synth)
    routes = {}
    for method in synth.of_type("AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        integration = properties["Integration"]
        assert integration["Type"] == "AWS_PROXY"
        uri_parts = integration["Uri"]["Fn::Join"][1]
        (function_id,) = [p["Fn::GetAtt"][0] for p in uri_parts if isinstance(p, dict) and "Fn::GetAtt" in p]
        routes[(paths[properties["ResourceId"]["Ref"]], properties["HttpMethod"])] = function_id
    return routes


def test_every_module_has_its_routes_and_nothing_else(prod):
    function_id = {m: prod.logical_id(fn) for m, fn in prod.stack.ocpi_api.functions.items()}
    expected = {
        ("/ocpi/versions", "ANY"): function_id["versions"],
        ("/ocpi/{version}/details", "ANY"): function_id["versions"],
    }
    for module in MODULES:
        if module.identifier != "versions":
            expected[(f"/ocpi/{{version}}/{module.identifier}", "ANY")] = function_id[module.identifier]
            expected[(f"/ocpi/{{version}}/{module.identifier}/{{proxy+}}", "ANY")] = function_id[
                module.identifier
            ]

    assert _routes(prod) == expected


def test_each_route_may_invoke_only_its_function(prod):
    # One invoke permission per route: that route's function, that route's path on this API's stage
    rest_api_id = prod.logical_id(prod.stack.ocpi_api.api)
    expected = {
        (function_id, "/*" + re.sub(r"\{[^}]+\}", "*", path))
        for (path, _), function_id in _routes(prod).items()
    }
    granted = set()
    ocpi_functions = {prod.logical_id(function) for function in prod.stack.ocpi_api.functions.values()}
    permissions = [  # the OCPP gateway's functions have their own (tests/infra/test_ocpp_gateway.py)
        permission
        for permission in prod.of_type("AWS::Lambda::Permission").values()
        if permission["Properties"]["FunctionName"]["Fn::GetAtt"][0] in ocpi_functions
    ]
    for permission in permissions:
        properties = permission["Properties"]
        assert properties["Principal"] == "apigateway.amazonaws.com"
        source_arn = properties["SourceArn"]["Fn::Join"][1]
        assert {"Ref": rest_api_id} in source_arn
        granted.add((properties["FunctionName"]["Fn::GetAtt"][0], source_arn[-1]))

    assert len(permissions) == len(expected)
    assert granted == expected


def test_methods_validate_the_path_parameters_they_route_on(prod):
    validator_id = next(iter(prod.of_type("AWS::ApiGateway::RequestValidator")))
    paths = _paths(prod)
    for method in prod.of_type("AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        assert properties["RequestValidatorId"] == {"Ref": validator_id}
        path = paths[properties["ResourceId"]["Ref"]]
        expected = {f"method.request.path.{p}": True for p in ("version", "proxy") if f"{{{p}" in path}
        assert properties.get("RequestParameters", {}) == expected


def test_custom_domain_requires_client_certificates_over_tls_1_2(prod):
    prod.template.has_resource_properties(
        "AWS::ApiGateway::DomainName",
        {
            "DomainName": DOMAIN["domain_name"],
            "EndpointConfiguration": {"Types": ["REGIONAL"]},
            "RegionalCertificateArn": DOMAIN["certificate_arn"],
            "SecurityPolicy": "TLS_1_2",
            "MutualTlsAuthentication": {
                "TruststoreUri": DOMAIN["truststore_uri"],
                "TruststoreVersion": DOMAIN["truststore_version"],
            },
        },
    )
    prod.template.has_resource_properties(
        "AWS::ApiGateway::BasePathMapping",
        {"DomainName": {"Ref": Match.any_value()}, "Stage": {"Ref": Match.any_value()}},
    )
    prod.template.has_resource_properties(
        "AWS::Route53::RecordSet",
        {"Name": f"{DOMAIN['domain_name']}.", "Type": "A", "HostedZoneId": DOMAIN["hosted_zone_id"]},
    )


def test_default_endpoint_is_disabled_so_mtls_cannot_be_bypassed(prod):
    prod.template.has_resource_properties(
        "AWS::ApiGateway::RestApi",
        {"DisableExecuteApiEndpoint": True, "EndpointConfiguration": {"Types": ["REGIONAL"]}},
    )
    outputs = prod.template.to_json()["Outputs"]
    assert outputs["OcpiVersionsUrl"] == {"Value": f"https://{DOMAIN['domain_name']}/ocpi/versions"}
    # No output (other constructs add theirs) points past the mTLS domain to the REST API itself.
    assert prod.logical_id(prod.stack.ocpi_api.api) not in str(outputs)


def test_stage_logs_traces_and_throttles(prod):
    (stage,) = prod.of_type("AWS::ApiGateway::Stage").values()
    properties = stage["Properties"]
    assert properties["StageName"] == STAGE_NAME
    assert properties["TracingEnabled"] is True
    assert properties["MethodSettings"] == [
        {
            "HttpMethod": "*",
            "ResourcePath": "/*",
            "LoggingLevel": "ERROR",
            "DataTraceEnabled": False,  # bodies and headers carry OCPI tokens
            "ThrottlingRateLimit": THROTTLE_RATE_LIMIT,
            "ThrottlingBurstLimit": THROTTLE_BURST_LIMIT,
        }
    ]
    access_logs = prod.logical_id(prod.stack.ocpi_api.node.find_child("AccessLogs"))
    assert {"Ref": access_logs} in properties["AccessLogSetting"]["DestinationArn"]["Fn::Join"][1]
    log_line = properties["AccessLogSetting"]["Format"].replace("$context.error.messageString", '"x"')
    assert json.loads(log_line)["clientCertSubject"] == "$context.identity.clientCert.subjectDN"


def test_dev_stack_without_domain_keeps_the_default_endpoint(dev):
    dev.template.resource_count_is("AWS::ApiGateway::DomainName", 0)
    dev.template.has_resource_properties("AWS::ApiGateway::RestApi", {"DisableExecuteApiEndpoint": False})
    for function in dev.stack.ocpi_api.functions.values():
        variables = dev.resources[dev.logical_id(function)]["Properties"]["Environment"]["Variables"]
        assert variables["MOBIE_REQUIRE_CLIENT_CERT"] == "false"
        # https://<api id>.execute-api.<region>.<suffix>/<stage>: the published URLs include the stage
        assert variables["MOBIE_PUBLIC_URL"]["Fn::Join"][1] == [
            "https://",
            {"Ref": dev.logical_id(dev.stack.ocpi_api.api)},
            ".execute-api.eu-west-1.",
            {"Ref": "AWS::URLSuffix"},
            f"/{STAGE_NAME}",
        ]
