"""The OCPP gateway's edge (infra/constructs/ocpp_edge.py): CloudFront in front of the stage, its
path function, the station domain's certificate, the WAF rate limit and what is said without one."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from infra.constants import OCPP_WAF_RATE_LIMIT
from infra.constructs.ocpp_edge import PATH_TO_QUERY
from tests.infra.ocpp_templates import (
    STATION_CERTIFICATE,
    WEB_ACL_ARN,
    gateway_template,
    only,
    resources,
)

pytestmark = pytest.mark.infra

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def test_cloudfront_forwards_wss_to_the_stage_uncached_with_the_viewers_headers(ocpp_template):
    config = only(ocpp_template, "AWS::CloudFront::Distribution")["DistributionConfig"]
    behavior = config["DefaultCacheBehavior"]

    assert behavior["ViewerProtocolPolicy"] == "https-only"
    assert behavior["CachePolicyId"] == CACHING_DISABLED
    assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert behavior["FunctionAssociations"][0]["EventType"] == "viewer-request"
    (origin,) = config["Origins"]
    assert origin["OriginPath"] == "/ocpp"
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert "execute-api.eu-west-1" in json.dumps(origin["DomainName"])
    function = only(ocpp_template, "AWS::CloudFront::Function")
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"


@pytest.mark.skipif(shutil.which("node") is None, reason="node runs the CloudFront function")
@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("/ocpp/LSB-00175", {"uri": "/", "querystring": {"station": {"value": "LSB-00175"}}}),
        ("/ocpp/LSB-00175/", {"uri": "/", "querystring": {"station": {"value": "LSB-00175"}}}),
        ("/ocpp/", {"statusCode": 404}),
        ("/ocpp/a/b", {"statusCode": 404}),
        ("/", {"statusCode": 404}),
    ],
)
def test_the_cloudfront_function_rewrites_the_station_path_to_the_query(uri, expected):
    event = {"request": {"uri": uri, "querystring": {"station": {"value": "SPOOFED"}}, "headers": {}}}
    script = f"{PATH_TO_QUERY}\nconsole.log(JSON.stringify(handler({json.dumps(event)})));"

    result = json.loads(
        subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout
    )

    assert {key: result[key] for key in expected} == expected


def test_by_default_no_insecure_output_and_outside_us_east_1_an_edge_warning_without_web_acl(ocpp_template):
    outputs = ocpp_template.to_json()["Outputs"]

    assert "OcppInsecureOpenStations" not in outputs
    assert "ocpp_web_acl_arn" in json.dumps(outputs["OcppEdgeWarning"])
    assert not resources(ocpp_template, "AWS::WAFv2::WebACL")
    assert "WebACLId" not in only(ocpp_template, "AWS::CloudFront::Distribution")["DistributionConfig"]


def test_in_us_east_1_the_distribution_gets_a_rate_limiting_web_acl(ocpp_us_east_1_open):
    acl_id, acl = next(iter(resources(ocpp_us_east_1_open, "AWS::WAFv2::WebACL").items()))
    [rule] = acl["Properties"]["Rules"]

    assert acl["Properties"]["Scope"] == "CLOUDFRONT"
    assert rule["Statement"]["RateBasedStatement"] == {
        "AggregateKeyType": "IP", "EvaluationWindowSec": 300, "Limit": OCPP_WAF_RATE_LIMIT
    }
    assert rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    distribution = only(ocpp_us_east_1_open, "AWS::CloudFront::Distribution")["DistributionConfig"]
    assert distribution["WebACLId"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    assert "OcppEdgeWarning" not in ocpp_us_east_1_open.to_json()["Outputs"]


def test_a_web_acl_made_in_us_east_1_is_attached_to_a_stack_elsewhere():
    given = gateway_template(web_acl_arn=WEB_ACL_ARN)

    assert only(given, "AWS::CloudFront::Distribution")["DistributionConfig"]["WebACLId"] == WEB_ACL_ARN
    assert "OcppEdgeWarning" not in given.to_json()["Outputs"]


def test_the_us_east_1_template_with_its_web_acl_passes_cfn_lint(ocpp_us_east_1_open):
    from cfnlint.api import lint
    from cfnlint.config import ManualArgs

    matches = lint(
        json.dumps(ocpp_us_east_1_open.to_json()),
        config=ManualArgs(regions=["us-east-1"], ignore_checks=["W3005"]),
    )

    assert [f"{m.rule.id} {m.message}" for m in matches if m.rule.id.startswith("E")] == []


def test_a_station_domain_gives_the_distribution_its_certificate_and_tls_1_2(ocpp_station_domain):
    # cdk-nag's CFR4 is not acknowledged with a station domain: synth would fail if it still fired.
    distribution = only(ocpp_station_domain, "AWS::CloudFront::Distribution")["DistributionConfig"]
    assert distribution["Aliases"] == ["ocpp.mobie.example"]
    assert distribution["ViewerCertificate"] == {
        "AcmCertificateArn": STATION_CERTIFICATE,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }
    outputs = ocpp_station_domain.to_json()["Outputs"]
    assert outputs["OcppStationUrl"]["Value"] == "wss://ocpp.mobie.example/ocpp/{charge_point_id}"
    assert "OcppStationDomainTarget" in outputs


def test_without_a_station_domain_the_default_certificate_is_acknowledged_as_it_is(ocpp_template):
    distribution = only(ocpp_template, "AWS::CloudFront::Distribution")["DistributionConfig"]
    assert "Aliases" not in distribution and "ViewerCertificate" not in distribution
    assert "OcppStationDomainTarget" not in ocpp_template.to_json()["Outputs"]
