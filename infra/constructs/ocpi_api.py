"""The EMSP-facing OCPI API: REST API on a regional custom domain with mutual TLS, one Lambda per module.

Routes (proxy integration, ANY; each module's FastAPI app answers its own paths and methods):

    /ocpi/versions                        → versions
    /ocpi/{version}/details               → versions
    /ocpi/{version}/<module>[/{proxy+}]   → <module>, for every other module in MODULES

Mutual TLS exists only on custom domains, so the default execute-api endpoint is disabled whenever
the domain is configured: nothing can reach the functions without a client certificate.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnOutput, RemovalPolicy, Stack, Validations
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.config import CustomDomain
from infra.constants import (
    ACCESS_LOG_RETENTION,
    CALLS_OUT_TIMEOUT,
    OCPI_API_SUFFIX,
    OCPI_ROOT,
    STAGE_NAME,
    THROTTLE_BURST_LIMIT,
    THROTTLE_RATE_LIMIT,
    TIMEOUT,
    VERSIONS_MODULE,
)
from infra.constructs.function_factory import FunctionFactory
from mobie_hub.core.modules import MODULES, OcpiModule

# One JSON line per request; the client certificate fields tie a request to the EMSP system (profile §2).
_ACCESS_LOG = {
    "requestId": "$context.requestId",
    "xrayTraceId": "$context.xrayTraceId",
    "requestTime": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "path": "$context.path",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "clientCertSerial": "$context.identity.clientCert.serialNumber",
    "clientCertSubject": "$context.identity.clientCert.subjectDN",
}


def _access_log_format() -> str:
    fields = [f'"{name}":"{variable}"' for name, variable in _ACCESS_LOG.items()]
    fields.append('"errorMessage":$context.error.messageString')  # a JSON string already, quotes escaped
    return "{" + ",".join(fields) + "}"


class OcpiApi(Construct):
    """``functions`` by module identifier; ``public_url`` is the base every published OCPI URL uses."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        factory: FunctionFactory,
        domain: CustomDomain | None,
        retain_logs: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=ACCESS_LOG_RETENTION,
            removal_policy=RemovalPolicy.RETAIN if retain_logs else RemovalPolicy.DESTROY,
        )
        self.api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=f"{Stack.of(self).stack_name}-{OCPI_API_SUFFIX}",
            description="MOBI.E OCPI 2.2 / 2.2.1 towards EMSPs",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            disable_execute_api_endpoint=domain is not None,
            domain_name=self._domain_options(domain) if domain else None,
            # API Gateway writes access and execution logs through one account-wide role; RETAIN
            # because other APIs in the account rely on it once it is set.
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                tracing_enabled=True,
                throttling_rate_limit=THROTTLE_RATE_LIMIT,
                throttling_burst_limit=THROTTLE_BURST_LIMIT,
                # Errors only, and never request/response data: bodies and headers carry OCPI tokens.
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.custom(_access_log_format()),
            ),
        )
        # The gateway checks the path parameters it routes on. Body validation applies only to methods
        # with a request model and none is declared: each module's FastAPI app validates bodies and
        # answers in the OCPI envelope (status 2001), which a gateway 400 could not.
        self._validator = self.api.add_request_validator(
            "Validator", validate_request_parameters=True, validate_request_body=True
        )
        self.public_url = f"https://{domain.name}" if domain else self._execute_api_url()

        environment = {
            "MOBIE_PUBLIC_URL": self.public_url,
            "MOBIE_REQUIRE_CLIENT_CERT": "true" if domain else "false",
        }
        self.functions: dict[str, lambda_.Function] = {
            module.identifier: factory.create(
                self,
                module.identifier.capitalize(),
                source=module.identifier,
                service=module.identifier,
                description=f"OCPI {module.identifier} module",
                reads=module.reads,
                writes=module.writes,
                timeout=CALLS_OUT_TIMEOUT if module.calls_out else TIMEOUT,
                environment=environment,
            )
            for module in MODULES
        }
        # The account-wide API Gateway settings (its CloudWatch role): a stage that logs must wait for it.
        self.logging_account: apigw.CfnAccount = self.api.node.find_child("Account")
        # RestApi always adds an "Endpoint" output with the execute-api URL, dead when that endpoint is
        # disabled; the VersionsUrl output below is the URL that works either way.
        self.api.node.try_remove_child("Endpoint")
        self._add_routes()
        self.hosted_zone: route53.IHostedZone | None = None
        if domain and domain.has_hosted_zone:
            self.hosted_zone = self._add_alias(domain)
        self._acknowledge()
        CfnOutput(self, "VersionsUrl", value=f"{self.public_url}/{OCPI_ROOT}/versions").override_logical_id(
            "OcpiVersionsUrl"
        )
        if domain:
            # Where the custom domain's DNS record points (an alias, or a CNAME in a zone elsewhere).
            CfnOutput(
                self, "DomainTarget", value=self.api.domain_name.domain_name_alias_domain_name,
                description=f"point {domain.name} here (alias A or CNAME)",
            ).override_logical_id("OcpiDomainTarget")

    def _domain_options(self, domain: CustomDomain) -> apigw.DomainNameOptions:
        return apigw.DomainNameOptions(
            domain_name=domain.name,
            certificate=acm.Certificate.from_certificate_arn(self, "Certificate", domain.certificate_arn),
            endpoint_type=apigw.EndpointType.REGIONAL,
            security_policy=apigw.SecurityPolicy.TLS_1_2,
            mtls=apigw.MTLSConfig(
                bucket=s3.Bucket.from_bucket_name(self, "Truststore", domain.truststore_bucket),
                key=domain.truststore_key,
                version=domain.truststore_version,
            ),
        )

    def _execute_api_url(self) -> str:
        # Built from the API id, not api.url: that references the stage, which depends on the methods,
        # which depend on the functions whose environment this URL goes into (a cycle).
        stack = Stack.of(self)
        return f"https://{self.api.rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}/{STAGE_NAME}"

    def _add_routes(self) -> None:
        ocpi = self.api.root.add_resource(OCPI_ROOT)
        by_version = ocpi.add_resource("{version}")
        versions = self.functions[VERSIONS_MODULE]
        self._route(ocpi.add_resource("versions"), versions)
        self._route(by_version.add_resource("details"), versions, "version")
        for module in MODULES:
            if module.identifier != VERSIONS_MODULE:
                self._add_module(by_version, module)

    def _add_module(self, by_version: apigw.Resource, module: OcpiModule) -> None:
        function = self.functions[module.identifier]
        resource = by_version.add_resource(module.identifier)
        self._route(resource, function, "version")
        self._route(resource.add_resource("{proxy+}"), function, "version", "proxy")

    def _route(self, resource: apigw.Resource, function: lambda_.IFunction, *path_params: str) -> None:
        # allow_test_invoke=False: one invoke permission per route instead of two (console test-invoke
        # is not worth doubling the functions' resource policies).
        resource.add_method(
            "ANY",
            apigw.LambdaIntegration(function, allow_test_invoke=False),
            request_validator=self._validator,
            request_parameters={f"method.request.path.{name}": True for name in path_params} or None,
        )

    def _add_alias(self, domain: CustomDomain) -> route53.IHostedZone:
        zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "Zone", hosted_zone_id=domain.hosted_zone_id, zone_name=domain.hosted_zone_name
        )
        route53.ARecord(
            self,
            "Alias",
            zone=zone,
            record_name=domain.name,
            target=route53.RecordTarget.from_alias(targets.ApiGatewayDomain(self.api.domain_name)),
        )
        return zone

    def _acknowledge(self) -> None:
        Validations.of(self.api.node.find_child("CloudWatchRole")).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AmazonAPIGatewayPushToCloudWatchLogs]",
                reason="The account-wide role API Gateway uses to write the access and execution logs of every "
                "REST API in the account and region; AWS's service-role policy is the documented one, and a "
                "policy scoped to this API's log groups would break the account's other APIs.",
            )
        )
        Validations.of(self.api).acknowledge(
            Acknowledgment(
                id="AwsSolutions-APIG4",
                reason="OCPI authenticates every request with 'Authorization: Token' (OCPI 2.2 §4.1), checked by "
                "each module's app against the hashed tokens in the parties table together with the mTLS "
                "client certificate binding (profile §2); a gateway authorizer would repeat that lookup.",
            ),
            Acknowledgment(
                id="AwsSolutions-COG4",
                reason="EMSPs are OCPI platforms, not Cognito users: they authenticate with OCPI credentials "
                "tokens and MOBI.E-issued client certificates (mutual TLS), never with a user pool.",
            ),
            Acknowledgment(
                id="AwsSolutions-APIG3",
                reason="No web ACL yet: in production the custom domain admits only clients holding a "
                "MOBI.E-issued certificate (mutual TLS, execute-api endpoint disabled), dev stacks are "
                "throwaway, and the stage is throttled; WAF is a later hardening step.",
            ),
        )
