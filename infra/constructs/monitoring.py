"""Dashboard and alarms (docs/operations.md, "Alarms"). Every alarm notifies one SNS topic
(``AlarmTopicArn`` output; subscribe the on-call address to it).

The hub's own metrics are in the stack's namespace, its stack name (``MobieHub`` by default;
``mobie_hub.core.observability.count``), each also published without dimensions: the totals the alarms
watch. AWS's own metrics cover the rest.

- **PushFailureRate**: failed / (sent + failed) pushes to EMSPs above ``PUSH_FAILURE_RATE_PERCENT``.
- **PushFailuresByParty**: a CloudWatch Metrics Insights query alarm over ``PushFailed`` grouped by
  ``party``: each party is a contributor of its own, so one EMSP failing alarms even when the others
  keep the overall rate low, and a party registered tomorrow is watched without a deploy.
- **<Queue>DeadLetters**: a dead-letter queue holds a message (a stream record, a CDR creation event).
- **<Construct><StateMachine>ExecutionsFailed**: a Step Functions execution failed, timed out or was aborted.
- **<Construct><Pipe>Failed**: an EventBridge Pipe failed a record (enrichment, target, or timeout).
- **<Construct><Rule>FailedInvocations**: an EventBridge rule could not invoke its target after its retries.
- **SchedulesDropped**: EventBridge Scheduler gave up a run of one of the stack's schedules.
- **OcpiApi5xx**: the share of OCPI requests answered 5xx above ``API_5XX_RATE``.
- **OcppGatewayErrors**: the WebSocket API could not reach the message function.
- **<Construct><Function>Errors / …Throttles**: one pair per Lambda function.
- **<table>Throttles**: DynamoDB throttled reads or writes of one table.
- **StationsOffline**: heartbeats fell below the band CloudWatch anomaly detection learned. Every
  connected station sends a Heartbeat at least every 1800 s (docs/ocpp.md), so heartbeats per 10 min
  track connected stations; a region losing power or a broken gateway shows as a drop.
- **CredentialsRenewalFailed**, **AuditWriteFailed**, **AuditDeliveryFallback**, **AuditDeliveryLate**.
- **ImplausibleMeterReadings**, **IdTagConflicts** (issue #12): any in five minutes. A station reported
  energy it cannot have delivered (its session is INVALID, not billed), or two EMSPs' valid tokens
  claim one idTag (it fails closed): each is a fault or an abuse an operator must look at.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aws_cdk import CfnOutput, Duration, Fn, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constants import (
    API_5XX_RATE,
    DASHBOARD_SUFFIX,
    PUSH_FAILURE_RATE_PERCENT,
    PUSH_FAILURES_PER_PARTY,
    STATIONS_OFFLINE_STD_DEVS,
)
from mobie_hub.cdrs.delivery import UNDELIVERED_METRIC

FIVE_MINUTES = Duration.minutes(5)
# Issue #12: one occurrence is worth an operator's look (metric name -> what it means, what to do).
ABUSE_SIGNALS = {
    "ImplausibleMeterReadings": "A station reported an implausible meter reading (more energy than its "
    "connector can deliver, a meter going backwards, a register out of range, a transaction too long): the "
    "session is INVALID and not billed. Logs: message 'implausible meter reading' (station_id, session_id, "
    "reason, figures); then `mobie-hub audit --station …`.",
    "IdTagConflicts": "Valid tokens of two EMSPs claim the same idTag: a station's Authorize or "
    "StartTransaction on it failed closed. `mobie-hub tokens conflicts` lists them.",
}


def metrics_namespace(scope: Construct) -> str:
    """The namespace of the hub's own metrics in this stack: its stack name (``MobieHub`` for the default
    stack), so two stacks in one account never count into each other's alarms (FunctionFactory gives it
    to every function as POWERTOOLS_METRICS_NAMESPACE; mobie_hub.core.observability publishes there)."""
    return Stack.of(scope).stack_name


def hub_metric(scope: Construct, name: str, period: Duration = FIVE_MINUTES, **dimensions: str) -> cw.Metric:
    return cw.Metric(
        namespace=metrics_namespace(scope),
        metric_name=name,
        statistic="Sum",
        period=period,
        dimensions_map=dimensions or None,
    )


def label(function: lambda_.Function) -> str:
    """``<construct><function>``: "OcpiApiLocations", "OcppGatewayMessage", … (unique in the stack)."""
    group = function.node.scope  # the FunctionFactory's construct, inside the construct that asked for it
    return f"{group.node.scope.node.id}{group.node.id}"


def rule_dimensions(rule: events.Rule) -> dict[str, str]:
    """A rule's metric dimensions: RuleName on the default bus; EventBusName and RuleName on a custom bus,
    where the rule's Ref is "<bus>|<rule>" (CloudFormation), so the name is the part after the bar."""
    resource: events.CfnRule = rule.node.default_child
    if resource.event_bus_name is None:
        return {"RuleName": resource.ref}
    return {"EventBusName": resource.event_bus_name, "RuleName": Fn.select(1, Fn.split("|", resource.ref))}


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: Iterable[lambda_.Function],
        tables: Mapping[str, dynamodb.Table],
        ocpi_api: apigw.RestApi,
        ocpp_api: apigwv2.WebSocketApi,
        ocpp_stage: str,
        audit_stream_name: str,
        dead_letter_queues: Mapping[str, sqs.IQueue],
        state_machines: Mapping[str, sfn.IStateMachine],
        pipes: Mapping[str, pipes.CfnPipe],
        rules: Mapping[str, events.Rule],
        schedule_groups: Mapping[str, scheduler.IScheduleGroup],
    ) -> None:
        """The failure paths by name: ``dead_letter_queues``, ``state_machines``, ``pipes`` (by table
        key) and ``rules`` (EventBridge rules and schedules whose target could fail) each get an alarm."""
        super().__init__(scope, construct_id)
        self.functions = list(functions)
        self.topic = self._topic()
        self.alarms: dict[str, cw.Alarm] = {}
        self._audit_stream_name = audit_stream_name
        pushes = self._push_failure_rate()
        self._push_failures_by_party()
        for name, queue in dead_letter_queues.items():
            self._dead_letter_alarm(name, queue)
        for name, machine in state_machines.items():
            self._workflow_alarm(name, machine)
        for name, pipe in pipes.items():
            self._pipe_alarm(name, pipe)
        for name, rule in rules.items():
            self._rule_alarm(name, rule)
        for name, group in schedule_groups.items():
            self._schedules_alarm(name, group)
        api = self._api_alarms(ocpi_api, ocpp_api, ocpp_stage)
        heartbeats = self._stations_offline()
        self._operations_alarms()
        self._cdr_delivery_alarm()
        self._abuse_alarms()
        for function in self.functions:
            self._function_alarms(function)
        for key, table in tables.items():
            self._table_alarm(key, table)
        self.dashboard = self._dashboard(pushes, api, heartbeats, tables)
        CfnOutput(self, "AlarmTopicOutput", value=self.topic.topic_arn).override_logical_id("AlarmTopicArn")
        CfnOutput(self, "DashboardOutput", value=self.dashboard.dashboard_name).override_logical_id(
            "DashboardName"
        )

    # --- alarms --------------------------------------------------------------------------------------
    def _alarm(
        self,
        name: str,
        metric: cw.IMetric,
        *,
        threshold: float,
        description: str,
        evaluation_periods: int = 1,
        datapoints: int | None = None,
        comparison: cw.ComparisonOperator = cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        missing: cw.TreatMissingData = cw.TreatMissingData.NOT_BREACHING,
    ) -> cw.Alarm:
        alarm = metric.create_alarm(
            self,
            name,
            alarm_name=f"{Stack.of(self).stack_name}-{name}",
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints,
            comparison_operator=comparison,
            treat_missing_data=missing,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        self.alarms[name] = alarm
        return alarm

    def _push_failure_rate(self) -> cw.MathExpression:
        rate = cw.MathExpression(
            expression="100 * FILL(failed, 0) / (FILL(sent, 0) + FILL(failed, 0))",
            using_metrics={
                "sent": hub_metric(self, "PushSent", Duration.minutes(15)),
                "failed": hub_metric(self, "PushFailed", Duration.minutes(15)),
            },
            label="push failure rate (%)",
            period=Duration.minutes(15),
        )
        self._alarm(
            "PushFailureRate",
            rate,
            threshold=PUSH_FAILURE_RATE_PERCENT,
            evaluation_periods=2,
            description="More than the set share of pushes to EMSPs failed for 30 minutes: an EMSP is down "
            "or refusing (dashboard: pushes failed by party). Pushes are not retried; EMSPs catch up by GET.",
        )
        return rate

    def _push_failures_by_party(self) -> None:
        # One contributor per party (GROUP BY): the alarm names the party in its state reason.
        query = cw.MathExpression(
            expression=f'SELECT SUM(PushFailed) FROM SCHEMA("{metrics_namespace(self)}", module, party) GROUP BY party',
            label="failed pushes by party",
            period=Duration.minutes(15),
            using_metrics={},
        )
        self._alarm(
            "PushFailuresByParty",
            query,
            threshold=PUSH_FAILURES_PER_PARTY,
            comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=2,
            description="One EMSP failed the set number of pushes in each of two 15-minute periods (its pushes "
            "fail even if the others keep the overall rate low): the alarm's contributors name the party; "
            "`mobie-hub audit --party …` shows its answers, `mobie-hub parties show` its status.",
        )

    def _dead_letter_alarm(self, name: str, queue: sqs.IQueue) -> None:
        self._alarm(
            f"{name}DeadLetters",
            queue.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, statistic="Maximum"),
            threshold=1,
            comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            description=f"The {name} dead-letter queue holds messages: stream records no event was made of (no "
            "push for that change) or SessionCompleted events no CDR was created for after a day of retries. "
            "Read them (docs/operations.md, 'Dead letters'), fix the cause, then re-drive or delete them.",
        )

    def _workflow_alarm(self, name: str, machine: sfn.IStateMachine) -> None:
        failed = cw.MathExpression(
            expression="FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)",
            using_metrics={
                "failed": machine.metric_failed(period=FIVE_MINUTES),
                "timedOut": machine.metric_timed_out(period=FIVE_MINUTES),
                "aborted": machine.metric_aborted(period=FIVE_MINUTES),
            },
            label=f"{name} executions failed, timed out or aborted",
            period=FIVE_MINUTES,
        )
        self._alarm(
            f"{name}ExecutionsFailed",
            failed,
            threshold=1,
            comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            description=f"A {name} Step Functions execution failed, timed out or was aborted: its tasks catch "
            "what they expect, so this is a crashed task or a broken definition. Find the execution (console, "
            "or the state machine's log group) and its failing state (docs/operations.md).",
        )

    def _pipe_alarm(self, name: str, pipe: pipes.CfnPipe) -> None:
        def metric(name: str) -> cw.Metric:
            return cw.Metric(
                namespace="AWS/EventBridge/Pipes",
                metric_name=name,
                statistic="Sum",
                period=FIVE_MINUTES,
                dimensions_map={"PipeName": pipe.ref},  # Ref of a pipe is its name
            )

        failed = cw.MathExpression(
            expression="FILL(failed, 0) + FILL(timeout, 0) + FILL(partial, 0)",
            using_metrics={
                "failed": metric("ExecutionFailed"),
                "timeout": metric("ExecutionTimeout"),
                "partial": metric("ExecutionPartiallyFailed"),
            },
            label=f"{name} failures",
            period=FIVE_MINUTES,
        )
        self._alarm(
            f"{name}Failed",
            failed,
            threshold=1,
            comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            description=f"The {name} pipe failed records (enrichment or event bus target): those table changes "
            "were retried, then dead-lettered (see StreamEventsDeadLetters); the enrichment function's log says why.",
        )

    def _rule_alarm(self, name: str, rule: events.Rule) -> None:
        failed = cw.Metric(
            namespace="AWS/Events",
            metric_name="FailedInvocations",
            statistic="Sum",
            period=FIVE_MINUTES,
            dimensions_map=rule_dimensions(rule),
        )
        self._alarm(
            f"{name}FailedInvocations",
            failed,
            threshold=1,
            comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            description=f"EventBridge could not invoke the {name} rule's target after its retries (permissions, "
            "throttling, a target gone): those events reached nobody (or its dead-letter queue).",
        )

    def _schedules_alarm(self, name: str, group: scheduler.IScheduleGroup) -> None:
        self._alarm(
            f"{name}Dropped",
            group.metric_dropped(period=FIVE_MINUTES, statistic="Sum"),
            threshold=1,
            comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            description=f"EventBridge Scheduler gave up a run of a schedule in the {name} group (the daily "
            "credentials renewal, the OCPP heartbeat watchdog): its target could not be started (permission, "
            "throttling, a target gone). A missed watchdog run leaves offline stations AVAILABLE a minute longer; "
            "a missed renewal start renews nothing that day.",
        )

    def _api_alarms(
        self, ocpi_api: apigw.RestApi, ocpp_api: apigwv2.WebSocketApi, stage: str
    ) -> list[cw.IMetric]:
        server_errors = ocpi_api.metric_server_error(period=FIVE_MINUTES, statistic="Average")
        self._alarm(
            "OcpiApi5xx",
            server_errors,
            threshold=API_5XX_RATE,
            evaluation_periods=3,
            datapoints=2,
            description="The OCPI API answered 5xx to more than the set share of requests: a function "
            "fails or times out (see the OcpiApi<Module>Errors alarms and the functions' logs).",
        )
        ocpp_errors = cw.Metric(
            namespace="AWS/ApiGateway",
            metric_name="IntegrationError",
            statistic="Sum",
            period=FIVE_MINUTES,
            dimensions_map={"ApiId": ocpp_api.api_id, "Stage": stage},
        )
        self._alarm(
            "OcppGatewayErrors",
            ocpp_errors,
            threshold=10,
            evaluation_periods=2,
            description="The OCPP WebSocket API could not run the message function for station frames: "
            "stations get no answers (see OcppGatewayMessageErrors and its logs).",
        )
        return [
            server_errors,
            ocpi_api.metric_client_error(period=FIVE_MINUTES, statistic="Average"),
            ocpp_errors,
        ]

    def _stations_offline(self) -> cw.Metric:
        heartbeats = hub_metric(self, "OcppMessages", Duration.minutes(10), action="Heartbeat", direction="in")
        alarm = cw.AnomalyDetectionAlarm(
            self,
            "StationsOffline",
            alarm_name=f"{Stack.of(self).stack_name}-StationsOffline",
            metric=heartbeats,
            std_devs=STATIONS_OFFLINE_STD_DEVS,
            evaluation_periods=3,
            datapoints_to_alarm=2,
            comparison_operator=cw.ComparisonOperator.LESS_THAN_LOWER_THRESHOLD,
            # No heartbeat at all is the worst case of stations offline, not an absence of data.
            treat_missing_data=cw.TreatMissingData.BREACHING,
            alarm_description="Fewer station heartbeats than the learned band for 20 of 30 minutes: stations "
            "disconnected (power, network, or the OCPP gateway). Each connected station heartbeats every <= 1800 s.",
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        self.alarms["StationsOffline"] = alarm
        return heartbeats

    def _operations_alarms(self) -> None:
        self._alarm(
            "CredentialsRenewalFailed",
            cw.Metric(
                namespace=metrics_namespace(self),
                metric_name="CredentialsRenewalFailed",
                statistic="Sum",
                period=Duration.days(1),
                dimensions_map={"service": "mobie-hub-credentials-renewal"},
            ),
            threshold=0,
            description="The daily renewal could not renew a party's credentials (the old "
            "ones keep working): see the renewal workflow's execution and `mobie-hub parties show`.",
        )
        self._alarm(
            "AuditWriteFailed",
            hub_metric(self, "AuditWriteFailed"),
            threshold=0,
            description="A function could not write audit records: messages are missing from the trail.",
        )
        self._alarm(
            "AuditDeliveryFallback",
            hub_metric(self, "AuditDeliveryFallback"),
            threshold=0,
            description="Firehose refused audit records: the functions printed them to their logs instead "
            '(audit = "mobie-hub/1" in Logs Insights); they are not in S3/Athena until copied there.',
        )
        freshness = cw.Metric(
            namespace="AWS/Firehose",
            metric_name="DeliveryToS3.DataFreshness",
            statistic="Maximum",
            period=FIVE_MINUTES,
            dimensions_map={"DeliveryStreamName": self._audit_stream_name},
        )
        self._alarm(
            "AuditDeliveryLate",
            freshness,
            threshold=900,
            evaluation_periods=3,
            description="Audit records wait more than 15 min in Firehose: S3 delivery fails (see the "
            "stream's DeliveryErrors log group); Firehose keeps them and retries meanwhile (up to 24 h).",
        )

    def _cdr_delivery_alarm(self) -> None:
        # Counted once per delivery given up (mobie_hub.cdrs.delivery): the dimensionless total.
        self._alarm(
            UNDELIVERED_METRIC,
            hub_metric(self, UNDELIVERED_METRIC),
            threshold=1,
            comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            description="A CDR (a bill) could not be delivered to its EMSP after every retry (about two "
            "days): run `mobie-hub cdrs undelivered` and settle it with the EMSP (docs/operations.md).",
        )

    def _abuse_alarms(self) -> None:
        # Counted by mobie_hub.core.observability.count: each alarm watches the dimensionless total.
        for name, description in ABUSE_SIGNALS.items():
            self._alarm(
                name,
                hub_metric(self, name),
                threshold=1,
                comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                description=description,
            )

    def _function_alarms(self, function: lambda_.Function) -> None:
        name = label(function)
        self._alarm(
            f"{name}Errors",
            function.metric_errors(period=FIVE_MINUTES),
            threshold=0,
            evaluation_periods=3,
            datapoints=2,
            description=f"The {name} function raised or timed out in 2 of 3 five-minute periods.",
        )
        self._alarm(
            f"{name}Throttles",
            function.metric_throttles(period=FIVE_MINUTES),
            threshold=0,
            description=f"The {name} function was throttled: the account's Lambda concurrency is exhausted.",
        )

    def _table_alarm(self, key: str, table: dynamodb.Table) -> None:
        throttles = cw.MathExpression(
            expression="FILL(r, 0) + FILL(w, 0)",
            using_metrics={
                "r": table.metric("ReadThrottleEvents", statistic="Sum", period=FIVE_MINUTES),
                "w": table.metric("WriteThrottleEvents", statistic="Sum", period=FIVE_MINUTES),
            },
            label=f"{key} throttled requests",
            period=FIVE_MINUTES,
        )
        self._alarm(
            f"{key.capitalize()}TableThrottles",
            throttles,
            threshold=0,
            evaluation_periods=2,
            description=f"DynamoDB throttled reads or writes of the {key} table (on-demand: a hot key or "
            "the table's throughput limit); the calling functions answer errors.",
        )

    # --- dashboard -----------------------------------------------------------------------------------
    def _dashboard(
        self,
        pushes: cw.MathExpression,
        api: list[cw.IMetric],
        heartbeats: cw.Metric,
        tables: Mapping[str, dynamodb.Table],
    ) -> cw.Dashboard:
        def search(metric: str, dimensions: str) -> cw.MathExpression:
            # SEARCH shows one line per dimension value (module, party, action) without listing them here.
            return cw.MathExpression(
                expression=f"SEARCH('{{{metrics_namespace(self)},{dimensions}}} MetricName=\"{metric}\"', 'Sum', 300)",
                label="",
                period=FIVE_MINUTES,
            )

        dashboard = cw.Dashboard(
            self, "Dashboard", dashboard_name=f"{Stack.of(self).stack_name}-{DASHBOARD_SUFFIX}"
        )
        dashboard.add_widgets(
            cw.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms.values()), width=24, height=4),
        )
        dashboard.add_widgets(
            cw.GraphWidget(
                title="OCPI requests by module and status",
                left=[search("OcpiRequests", "module,http_status,ocpi_status")],
                width=12,
            ),
            cw.GraphWidget(title="OCPI API 5xx / 4xx (share of requests)", left=api[:2], width=12),
        )
        dashboard.add_widgets(
            cw.GraphWidget(title="Pushes sent by party", left=[search("PushSent", "module,party")], width=8),
            cw.GraphWidget(
                title="Pushes failed by party", left=[search("PushFailed", "module,party")], width=8
            ),
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
                    cw.Metric(
                        namespace=metrics_namespace(self),
                        metric_name=name,
                        statistic="Sum",
                        period=Duration.hours(1),
                        dimensions_map={"service": "mobie-hub-credentials-renewal"},
                    )
                    for name in ("CredentialsRenewed", "CredentialsRenewalFailed")
                ],
                width=8,
            ),
            cw.GraphWidget(title="OCPP gateway integration errors", left=api[2:], width=8),
        )
        dashboard.add_widgets(
            cw.GraphWidget(
                title="Implausible meter readings by reason",
                left=[search("ImplausibleMeterReadings", "reason")],
                width=12,
            ),
            cw.GraphWidget(title="idTag conflicts", left=[hub_metric(self, "IdTagConflicts")], width=12),
        )
        dashboard.add_widgets(
            cw.GraphWidget(
                title="Lambda errors",
                left=[f.metric_errors(period=FIVE_MINUTES, label=label(f)) for f in self.functions],
                width=8,
            ),
            cw.GraphWidget(
                title="Lambda throttles",
                left=[f.metric_throttles(period=FIVE_MINUTES, label=label(f)) for f in self.functions],
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

    def _topic(self) -> sns.Topic:
        # CloudWatch alarms can publish to an encrypted topic only with a customer managed key whose policy
        # lets CloudWatch use it (the AWS managed SNS key cannot be shared).
        key = kms.Key(self, "AlarmTopicKey", enable_key_rotation=True, description="mobie-hub alarm topic")
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        topic = sns.Topic(
            self,
            "AlarmTopic",
            display_name=f"{Stack.of(self).stack_name} alarms",
            master_key=key,
            enforce_ssl=True,
        )
        return topic
