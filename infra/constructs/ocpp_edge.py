"""The OCPP gateway's edge (infra/constructs/ocpp_gateway.py): the CloudFront distribution stations
connect to, its path function, its certificate, its WAF rate limit and what cdk-nag is told about it.

    wss://<distribution or station domain>/ocpp/{charge_point_id}
      CloudFront function: /ocpp/{id} → /?station={id} (API Gateway routes no path after the stage)
      → the WebSocket API's stage

CloudFront web ACLs exist only in us-east-1 (``CLOUDFRONT_WAF_REGION``): a stack there makes its own
(``web_acl``), a stack elsewhere attaches the one whose ARN it is given (context ``ocpp_web_acl_arn``,
docs/deploy.md) or has none, which the gateway outputs as ``OcppEdgeWarning``.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Acknowledgment, Stack, Token, Validations
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.config import StationDomain
from infra.constants import CLOUDFRONT_WAF_REGION, OCPP_STAGE_NAME, OCPP_WAF_RATE_LIMIT
from mobie_hub.ocpp.lambda_entry import STATION_PARAMETER as OCPP_STATION_PARAMETER

# CloudFront Functions (JavaScript 2.0). Anything but /ocpp/{id} is refused here, before API Gateway.
PATH_TO_QUERY = (
    """
function handler(event) {
  var request = event.request;
  var match = /^\\/ocpp\\/([^\\/]+)\\/?$/.exec(request.uri);
  if (!match) {
    return { statusCode: 404, statusDescription: 'Not Found' };
  }
  request.querystring = { %s: { value: match[1] } };
  request.uri = '/';
  return request;
}
""".strip()
    % OCPP_STATION_PARAMETER
)


def web_acl(scope: Construct) -> wafv2.CfnWebACL | None:
    """The edge's rate limit, made in ``scope`` when the stack is in us-east-1 (else None)."""
    region = Stack.of(scope).region
    if Token.is_unresolved(region) or region != CLOUDFRONT_WAF_REGION:
        return None
    return wafv2.CfnWebACL(scope, "EdgeAcl", **station_web_acl_properties(Stack.of(scope).stack_name))


def distribution(
    scope: Construct,
    api: apigwv2.WebSocketApi,
    *,
    station_domain: StationDomain | None,
    web_acl_arn: str | None,
) -> cloudfront.Distribution:
    stack = Stack.of(scope)
    path_to_query = cloudfront.Function(
        scope,
        "PathToQuery",
        code=cloudfront.FunctionCode.from_inline(PATH_TO_QUERY),
        runtime=cloudfront.FunctionRuntime.JS_2_0,
        comment="OCPP: /ocpp/{charge_point_id} -> /?station={charge_point_id}",
    )
    origin = origins.HttpOrigin(
        f"{api.api_id}.execute-api.{stack.region}.{stack.url_suffix}",
        origin_path=f"/{OCPP_STAGE_NAME}",
        protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
    )
    return cloudfront.Distribution(
        scope,
        "Distribution",
        comment="MOBI.E OCPP 1.6-J endpoint for charging stations",
        price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        web_acl_id=web_acl_arn,  # CloudFront takes the web ACL's ARN here (WAFv2)
        **_viewer_certificate(scope, station_domain),
        default_behavior=cloudfront.BehaviorOptions(
            origin=origin,
            # wss only: HTTP Basic credentials never travel in clear (security profile 2).
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            # Nothing is cached; with caching disabled the AllViewer policies forward
            # Authorization and Sec-WebSocket-* (Host must not reach execute-api).
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            function_associations=[
                cloudfront.FunctionAssociation(
                    function=path_to_query,
                    event_type=cloudfront.FunctionEventType.VIEWER_REQUEST,
                )
            ],
        ),
    )


def _viewer_certificate(scope: Construct, station_domain: StationDomain | None) -> dict[str, Any]:
    """The station domain's certificate and TLS 1.2 minimum; nothing (the default certificate) without."""
    if station_domain is None:
        return {}
    return {
        "domain_names": [station_domain.name],
        "certificate": acm.Certificate.from_certificate_arn(
            scope, "StationCertificate", station_domain.certificate_arn
        ),
        "minimum_protocol_version": cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
    }


def in_zone(name: str, zone: str) -> bool:
    zone = zone.rstrip(".")
    return name == zone or name.endswith(f".{zone}")


def acknowledge(
    edge: cloudfront.Distribution,
    *,
    station_domain: StationDomain | None,
    web_acl_arn: str | None,
    insecure_open_stations: bool,
) -> None:
    """What is true of the distribution's cdk-nag findings (CFR1, CFR3; CFR4 without a station domain,
    CFR2 without a web ACL)."""
    Validations.of(edge).acknowledge(
        Acknowledgment(
            id="AwsSolutions-CFR1",
            reason="Stations are in Portugal, but roaming operators' test stations and support tools may not "
            "be; admission is per station (a known station id"
            + (", without password: insecure_open_stations)" if insecure_open_stations else " and its password)")
            + ", not by country.",
        ),
        Acknowledgment(
            id="AwsSolutions-CFR3",
            reason="CloudFront logs only the upgrade request of a WebSocket; the API stage's access log "
            "records every connect, message and disconnect with the station id, which is what is needed.",
        ),
    )
    if station_domain is None:
        Validations.of(edge).acknowledge(
            Acknowledgment(
                id="AwsSolutions-CFR4",
                reason="No station domain is configured, so the distribution serves the default "
                "*.cloudfront.net certificate, whose viewer TLS policy CloudFront fixes at TLSv1 (it cannot "
                "be raised). Setting station_domain_name and station_certificate_arn (docs/deploy.md) gives "
                "the distribution its own certificate with TLS 1.2 minimum, and this finding goes away.",
            ),
        )
    if web_acl_arn is None:
        Validations.of(edge).acknowledge(
            Acknowledgment(
                id="AwsSolutions-CFR2",
                reason=f"No web ACL: a CloudFront web ACL can only be made in {CLOUDFRONT_WAF_REGION} and this "
                "stack is elsewhere, and none was given (-c ocpp_web_acl_arn); the stack outputs "
                "OcppEdgeWarning saying so. Meanwhile the WebSocket stage is throttled"
                + (
                    " and INSECURE: stations without a password connect unauthenticated "
                    "(insecure_open_stations, output OcppInsecureOpenStations)."
                    if insecure_open_stations
                    else " and the authorizer refuses a station id after repeated failed logins."
                ),
            ),
        )


def station_web_acl_properties(stack_name: str) -> dict[str, Any]:
    """A CLOUDFRONT-scope web ACL: allow, except an address making more than OCPP_WAF_RATE_LIMIT
    connection attempts in 5 minutes (blocked with 429 until its rate falls back). Its metrics are named
    after the stack, so two stacks' edges are told apart."""

    def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
        return wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
        )

    return {
        "scope": "CLOUDFRONT",
        "description": "MOBI.E OCPP stations: connection attempts per client address",
        "default_action": wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        "visibility_config": visibility(f"{stack_name}-ocpp-edge"),
        "rules": [
            wafv2.CfnWebACL.RuleProperty(
                name="ConnectionAttemptsPerAddress",
                priority=0,
                action=wafv2.CfnWebACL.RuleActionProperty(
                    block=wafv2.CfnWebACL.BlockActionProperty(
                        custom_response=wafv2.CfnWebACL.CustomResponseProperty(response_code=429)
                    )
                ),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=OCPP_WAF_RATE_LIMIT, aggregate_key_type="IP", evaluation_window_sec=300
                    )
                ),
                visibility_config=visibility(f"{stack_name}-ocpp-connection-attempts"),
            )
        ],
    }
