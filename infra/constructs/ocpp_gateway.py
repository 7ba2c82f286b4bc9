"""The OCPP 1.6-J gateway: CloudFront → API Gateway WebSocket API → four functions (docs/ocpp.md).

    wss://<distribution>/ocpp/{charge_point_id}
      CloudFront function: /ocpp/{id} → /?station={id} (API Gateway routes no path after the stage)
      → API Gateway WebSocket API, stage "ocpp"
           $connect     REQUEST authorizer (identity source: the station query parameter) + ocpp_connect
           $disconnect  ocpp_disconnect
           $default     ocpp_message, a two-way route (the answer frame is the response)

The authorizer's identity source is the query parameter CloudFront always adds, not the
``Authorization`` header: with the header as identity source API Gateway would answer a missing
header itself, differently from the authorizer's one 401 for every refusal, and in the open mode a
station without a password must reach the authorizer. Functions that send calls to stations get
``execute-api:ManageConnections`` on this API only (``grant_send_calls``).

A station that goes offline is not shown AVAILABLE (issue #17 item 4): ``$disconnect`` marks its EVSEs
UNKNOWN when its current connection ends, and the watchdog (``ocpp_watchdog``, made here) those that
missed heartbeats. The message function may send calls (``grant_send_calls``): after a
BootNotification it posts the answer, then a TriggerMessage.

Stations authenticate unless ``insecure_open_stations`` (context ``insecure_open_stations=true``),
which also adds the ``OcppInsecureOpenStations`` warning output. The edge (``ocpp_edge``: CloudFront,
its path function, certificate and WAF rate limit per client address) is made here too; without a
web ACL the gateway outputs ``OcppEdgeWarning``.
"""

from __future__ import annotations

from collections.abc import Mapping

import jsii
from aws_cdk import Acknowledgment, CfnOutput, RemovalPolicy, Stack, Token, Validations
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from infra.config import StationDomain
from infra.constants import (
    ACCESS_LOG_RETENTION,
    CLOUDFRONT_WAF_REGION,
    OCPP_API_SUFFIX,
    OCPP_STAGE_NAME,
    OCPP_THROTTLE_BURST_LIMIT,
    OCPP_THROTTLE_RATE_LIMIT,
)
from infra.constructs import ocpp_edge, ocpp_watchdog
from infra.constructs.function_factory import FunctionFactory
from mobie_hub.ocpp.lambda_entry import STATION_PARAMETER as OCPP_STATION_PARAMETER

# One JSON line per event: connections, disconnections (with their status) and messages.
_ACCESS_LOG = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "eventType": "$context.eventType",
    "routeKey": "$context.routeKey",
    "connectionId": "$context.connectionId",
    "station": "$context.authorizer.stationId",
    "ip": "$context.identity.sourceIp",
    "status": "$context.status",
    "integrationLatency": "$context.integrationLatency",
    "disconnectStatusCode": "$context.disconnectStatusCode",
}


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLog:
    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(log_group)
        fields = ",".join(f'"{name}":"{variable}"' for name, variable in _ACCESS_LOG.items())
        self._format = apigw.AccessLogFormat.custom("{" + fields + ',"error":$context.error.messageString}')

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return self._format


class OcppGateway(Construct):
    """``url`` is what stations are configured with (``wss://…/ocpp``, then ``/{charge_point_id}``)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        factory: FunctionFactory,
        insecure_open_stations: bool = False,
        web_acl_arn: str | None = None,
        retain_logs: bool = True,
        reserved_concurrency: Mapping[str, int] | None = None,
        logging_account: Construct | None = None,
        station_domain: StationDomain | None = None,
        hosted_zone: route53.IHostedZone | None = None,
        schedule_group: scheduler.IScheduleGroup | None = None,
    ) -> None:
        """``reserved_concurrency``: by function construct id (Message, Authorizer, Connect, Disconnect,
        Watchdog), the station path's own concurrency, which pushes and sweeps cannot take (None: the
        shared pool). ``logging_account``: the account's API Gateway settings (CloudWatch role) the
        stage's access logging needs first. ``station_domain``: the stations' host name and its us-east-1
        certificate (TLS 1.2 minimum); with ``hosted_zone`` containing it, an alias record too.
        ``schedule_group``: the stack's group of schedules (the watchdog's), alarmed on dropped runs."""
        super().__init__(scope, construct_id)
        reserved = dict(reserved_concurrency or {})
        self.authorizer_function = factory.create(
            self,
            "Authorizer",
            reserved_concurrency=reserved.get("Authorizer"),
            source="ocpp_authorizer",
            service="ocpp-authorizer",
            description="OCPP $connect authorizer: known station, ocpp1.6 subprotocol, HTTP Basic auth",
            reads=("locations",),
            writes=("stations",),  # counts failed authentications per station id (throttling)
            environment={"MOBIE_REQUIRE_STATION_AUTH": "false" if insecure_open_stations else "true"},
        )
        self.connect_function = factory.create(
            self,
            "Connect",
            reserved_concurrency=reserved.get("Connect"),
            source="ocpp_connect",
            service="ocpp-connect",
            description="OCPP $connect: map the station to its connection",
            writes=("stations",),
        )
        self.disconnect_function = factory.create(
            self,
            "Disconnect",
            reserved_concurrency=reserved.get("Disconnect"),
            source="ocpp_disconnect",
            service="ocpp-disconnect",
            description="OCPP $disconnect: unmap the station unless a newer connection replaced it; "
            "then its EVSEs become UNKNOWN",
            writes=("stations", "locations"),
        )
        self.watchdog_function = ocpp_watchdog.watchdog_function(self, factory, reserved.get("Watchdog"))
        self.message_function = factory.create(
            self,
            "Message",
            reserved_concurrency=reserved.get("Message"),
            source="ocpp_message",
            service="ocpp-message",
            description="OCPP $default: every frame a station sends",
            reads=("tokens", "parties"),  # the whitelist, and whether a token's EMSP is registered
            writes=("stations", "locations", "sessions"),
        )
        self.api = apigwv2.WebSocketApi(
            self,
            "Api",
            api_name=f"{Stack.of(self).stack_name}-{OCPP_API_SUFFIX}",
            description="MOBI.E OCPP 1.6-J central system (charging stations)",
            connect_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("Connect", self.connect_function),
                authorizer=authorizers.WebSocketLambdaAuthorizer(
                    "StationAuthorizer",
                    self.authorizer_function,
                    identity_source=[f"route.request.querystring.{OCPP_STATION_PARAMETER}"],
                ),
            ),
            disconnect_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("Disconnect", self.disconnect_function),
            ),
            default_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("Message", self.message_function),
                return_response=True,
            ),
        )
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=ACCESS_LOG_RETENTION,
            removal_policy=RemovalPolicy.RETAIN if retain_logs else RemovalPolicy.DESTROY,
        )
        self.stage = apigwv2.WebSocketStage(
            self,
            "Stage",
            web_socket_api=self.api,
            stage_name=OCPP_STAGE_NAME,
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(
                rate_limit=OCPP_THROTTLE_RATE_LIMIT, burst_limit=OCPP_THROTTLE_BURST_LIMIT
            ),
            access_log_settings=_AccessLog(access_logs),
        )
        if logging_account is not None:
            # Access logging needs the account's CloudWatch role set first, or the stage fails to create.
            self.stage.node.add_dependency(logging_account)
        self.grant_send_calls(self.connect_function)  # closes a connection its station replaced
        # posts a BootNotification's answer, then the TriggerMessage StatusNotification after it
        self.grant_send_calls(self.message_function)
        self.watchdog_schedule = ocpp_watchdog.watchdog_schedule(self, self.watchdog_function, schedule_group)
        self.web_acl = ocpp_edge.web_acl(self) if web_acl_arn is None else None
        self.web_acl_arn = web_acl_arn or (self.web_acl.attr_arn if self.web_acl else None)
        self.station_domain = station_domain
        self.distribution = ocpp_edge.distribution(
            self, self.api, station_domain=station_domain, web_acl_arn=self.web_acl_arn
        )
        host = station_domain.name if station_domain else self.distribution.distribution_domain_name
        self.url = f"wss://{host}/ocpp"
        if station_domain and hosted_zone and ocpp_edge.in_zone(station_domain.name, hosted_zone.zone_name):
            route53.ARecord(
                self,
                "StationAlias",
                zone=hosted_zone,
                record_name=station_domain.name,
                target=route53.RecordTarget.from_alias(route53_targets.CloudFrontTarget(self.distribution)),
            )
        self._acknowledge()
        ocpp_edge.acknowledge(
            self.distribution,
            station_domain=station_domain,
            web_acl_arn=self.web_acl_arn,
            insecure_open_stations=insecure_open_stations,
        )
        CfnOutput(self, "StationUrl", value=self.url + "/{charge_point_id}").override_logical_id(
            "OcppStationUrl"
        )
        if station_domain:
            CfnOutput(
                self, "StationDomainTarget", value=self.distribution.distribution_domain_name,
                description=f"point {station_domain.name} here (alias A or CNAME)",
            ).override_logical_id("OcppStationDomainTarget")
        self._warn(insecure_open_stations)

    def _warn(self, insecure_open_stations: bool) -> None:
        if insecure_open_stations:
            CfnOutput(
                self,
                "InsecureOpenStations",
                description="insecure_open_stations=true",
                value="INSECURE: OCPP stations without a password connect WITHOUT AUTHENTICATION; anyone can "
                "pose as one and have charges billed. Set passwords (mobie-hub stations set-password "
                "--generate --all) and deploy without insecure_open_stations.",
            ).override_logical_id("OcppInsecureOpenStations")
        if self.web_acl_arn is None:
            CfnOutput(
                self,
                "EdgeWarning",
                description="no WAF web ACL on the OCPP distribution",
                value=f"The OCPP distribution has no WAF rate limit: CloudFront web ACLs live in "
                f"{CLOUDFRONT_WAF_REGION}; create one there and deploy with -c ocpp_web_acl_arn=ARN "
                "(docs/deploy.md). Failed station logins are still throttled per station id.",
            ).override_logical_id("OcppEdgeWarning")

    @property
    def management_url(self) -> str:
        """The API Gateway Management API endpoint of this stage (``post_to_connection``)."""
        stack = Stack.of(self)
        return f"https://{self.api.api_id}.execute-api.{stack.region}.{stack.url_suffix}/{OCPP_STAGE_NAME}"

    def grant_send_calls(self, function: lambda_.Function) -> None:
        """Let ``function`` send OCPP calls: ``execute-api:ManageConnections`` on this API's stage only,
        and the endpoint. (It also needs the stations table, which it declares to the factory.)"""
        stack = Stack.of(self)
        connections = stack.format_arn(
            service="execute-api",
            resource=self.api.api_id,
            resource_name=f"{OCPP_STAGE_NAME}/*/@connections/*",
        )
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["execute-api:ManageConnections"], resources=[connections])
        )
        function.add_environment("MOBIE_OCPP_MANAGEMENT_URL", self.management_url)
        # cdk-nag names the resource as rendered: pseudo parameters as <AWS::…> unless CDK resolved them
        # (the partition is resolved when the region is known and the target partitions are configured).
        region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
        account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
        api_id = stack.resolve(self.api.node.default_child.logical_id)
        reason = (
            "Connection ids are issued by API Gateway at $connect, so ManageConnections names them with a "
            "wildcard; it stays under this API's one stage (POST/DELETE on @connections)."
        )
        Validations.of(function.role).acknowledge(
            *(
                Acknowledgment(
                    id=f"AwsSolutions-IAM5[Resource::arn:{partition}:execute-api:{region}:{account}:"
                    f"<{api_id}>/{OCPP_STAGE_NAME}/*/@connections/*]",
                    reason=reason,
                )
                for partition in ("<AWS::Partition>", "aws")
            )
        )

    def _acknowledge(self) -> None:
        Validations.of(self.api).acknowledge(
            Acknowledgment(
                id="AwsSolutions-APIG4",
                reason="WebSocket APIs take an authorizer on $connect only, and it is there (HTTP Basic, OCPP "
                "security profiles 1/2); $default and $disconnect belong to an authorized connection.",
            ),
        )
