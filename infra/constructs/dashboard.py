"""The stack's CloudWatch dashboard (``DashboardName`` output): every alarm's state on top, then the
hub's own metrics (OCPI requests, pushes, OCPP messages, commands, renewals, abuse signals) and AWS's
(Lambda errors and throttles, DynamoDB throttles). docs/operations.md, "Where things are"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.constants import DASHBOARD_SUFFIX
from infra.constructs.metrics import FIVE_MINUTES, hub_metric, label, metrics_namespace, renewal_metric


def build_dashboard(
    scope: Construct,
    *,
    alarms: Iterable[cw.IAlarm],
    functions: Sequence[lambda_.Function],
    tables: Mapping[str, dynamodb.Table],
    pushes: cw.IMetric,
    api: Sequence[cw.IMetric],
    heartbeats: cw.IMetric,
) -> cw.Dashboard:
    """``api``: the OCPI API's 5xx and 4xx shares, then the OCPP gateway's integration errors."""

    def search(metric: str, dimensions: str) -> cw.MathExpression:
        # SEARCH shows one line per dimension value (module, party, action) without listing them here.
        return cw.MathExpression(
            expression=f"SEARCH('{{{metrics_namespace(scope)},{dimensions}}} MetricName=\"{metric}\"', 'Sum', 300)",
            label="",
            period=FIVE_MINUTES,
        )

    dashboard = cw.Dashboard(
        scope, "Dashboard", dashboard_name=f"{Stack.of(scope).stack_name}-{DASHBOARD_SUFFIX}"
    )
    dashboard.add_widgets(cw.AlarmStatusWidget(title="Alarms", alarms=list(alarms), width=24, height=4))
    dashboard.add_widgets(
        cw.GraphWidget(
            title="OCPI requests by module and status",
            left=[search("OcpiRequests", "module,http_status,ocpi_status")],
            width=12,
        ),
        cw.GraphWidget(title="OCPI API 5xx / 4xx (share of requests)", left=list(api[:2]), width=12),
    )
    dashboard.add_widgets(
        cw.GraphWidget(title="Pushes sent by party", left=[search("PushSent", "module,party")], width=8),
        cw.GraphWidget(title="Pushes failed by party", left=[search("PushFailed", "module,party")], width=8),
        cw.GraphWidget(title="Push failure rate (%)", left=[pushes], width=8),
    )
    dashboard.add_widgets(
        cw.GraphWidget(
            title="OCPP messages by action", left=[search("OcppMessages", "action,direction")], width=8
        ),
        cw.GraphWidget(
            title="Station heartbeats (≈ connected stations per 10 min)", left=[heartbeats], width=8
        ),
        cw.GraphWidget(
            title="OCPP CALLERRORs by code", left=[search("OcppCallErrors", "code,direction")], width=8
        ),
    )
    dashboard.add_widgets(
        cw.GraphWidget(
            title="Command results by type", left=[search("CommandResults", "type,result")], width=8
        ),
        cw.GraphWidget(
            title="Credential renewals",
            left=[
                renewal_metric(scope, name, Duration.hours(1))
                for name in ("CredentialsRenewed", "CredentialsRenewalFailed")
            ],
            width=8,
        ),
        cw.GraphWidget(title="OCPP gateway integration errors", left=list(api[2:]), width=8),
    )
    dashboard.add_widgets(
        cw.GraphWidget(
            title="Implausible meter readings by reason",
            left=[search("ImplausibleMeterReadings", "reason")],
            width=12,
        ),
        cw.GraphWidget(title="idTag conflicts", left=[hub_metric(scope, "IdTagConflicts")], width=12),
    )
    dashboard.add_widgets(
        cw.GraphWidget(
            title="Lambda errors",
            left=[f.metric_errors(period=FIVE_MINUTES, label=label(f)) for f in functions],
            width=8,
        ),
        cw.GraphWidget(
            title="Lambda throttles",
            left=[f.metric_throttles(period=FIVE_MINUTES, label=label(f)) for f in functions],
            width=8,
        ),
        cw.GraphWidget(
            title="DynamoDB throttled requests",
            left=[
                table.metric(
                    "WriteThrottleEvents", statistic="Sum", period=FIVE_MINUTES, label=f"{key} writes"
                )
                for key, table in tables.items()
            ],
            width=8,
        ),
    )
    return dashboard
