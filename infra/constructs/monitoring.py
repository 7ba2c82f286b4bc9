"""Dashboard and alarms (docs/operations.md, "Alarms"). Every alarm notifies one SNS topic
(``AlarmTopicArn`` output; subscribe the on-call address to it).

The metrics are in ``metrics.py``, the alarms are made by ``alarm_book.AlarmBook``, those of the
event pipeline's failure paths in ``failure_alarms.py``, the dashboard in ``dashboard.py``.

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

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cw
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
    PUSH_FAILURE_RATE_PERCENT,
    PUSH_FAILURES_PER_PARTY,
    STATIONS_OFFLINE_STD_DEVS,
)
from infra.constructs import failure_alarms
from infra.constructs.alarm_book import AlarmBook
from infra.constructs.dashboard import build_dashboard
from infra.constructs.metrics import (
    FIVE_MINUTES,
    hub_metric,
    label,
    metrics_namespace,
    renewal_metric,
    sum_of,
)
from mobie_hub.cdrs.delivery import UNDELIVERED_METRIC

# Issue #12: one occurrence is worth an operator's look (metric name -> what it means, what to do).
ABUSE_SIGNALS = {
    "ImplausibleMeterReadings": "A station reported an implausible meter reading (more energy than its "
    "connector can deliver, a meter going backwards, a register out of range, a transaction too long): the "
    "session is INVALID and not billed. Logs: message 'implausible meter reading' (station_id, session_id, "
    "reason, figures); then `mobie-hub audit --station …`.",
    "IdTagConflicts": "Valid tokens of two EMSPs claim the same idTag: a station's Authorize or "
    "StartTransaction on it failed closed. `mobie-hub tokens conflicts` lists them.",
}


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
        self.book = AlarmBook(self, self.topic)
        self.alarms = self.book.alarms
        pushes = self._push_failure_rate()
        self._push_failures_by_party()
        for name, queue in dead_letter_queues.items():
            failure_alarms.dead_letters(self.book, name, queue)
        for name, machine in state_machines.items():
            failure_alarms.workflow(self.book, name, machine)
        for name, pipe in pipes.items():
            failure_alarms.pipe(self.book, name, pipe)
        for name, rule in rules.items():
            failure_alarms.rule(self.book, name, rule)
        for name, group in schedule_groups.items():
            failure_alarms.schedules(self.book, name, group)
        api = self._api_alarms(ocpi_api, ocpp_api, ocpp_stage)
        heartbeats = self._stations_offline()
        self._operations_alarms(audit_stream_name)
        self._cdr_delivery_alarm()
        self._abuse_alarms()
        for function in self.functions:
            self._function_alarms(function)
        for key, table in tables.items():
            self._table_alarm(key, table)
        self.dashboard = build_dashboard(
            self,
            alarms=self.alarms.values(),
            functions=self.functions,
            tables=tables,
            pushes=pushes,
            api=api,
            heartbeats=heartbeats,
        )
        CfnOutput(self, "AlarmTopicOutput", value=self.topic.topic_arn).override_logical_id("AlarmTopicArn")
        CfnOutput(self, "DashboardOutput", value=self.dashboard.dashboard_name).override_logical_id(
            "DashboardName"
        )

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
        self.book.alarm(
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
        self.book.alarm(
            "PushFailuresByParty",
            query,
            threshold=PUSH_FAILURES_PER_PARTY,
            comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=2,
            description="One EMSP failed the set number of pushes in each of two 15-minute periods (its pushes "
            "fail even if the others keep the overall rate low): the alarm's contributors name the party; "
            "`mobie-hub audit --party …` shows its answers, `mobie-hub parties show` its status.",
        )

    def _api_alarms(
        self, ocpi_api: apigw.RestApi, ocpp_api: apigwv2.WebSocketApi, stage: str
    ) -> list[cw.IMetric]:
        server_errors = ocpi_api.metric_server_error(period=FIVE_MINUTES, statistic="Average")
        self.book.alarm(
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
        self.book.alarm(
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
            alarm_name=self.book.alarm_name("StationsOffline"),
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
        self.book.add("StationsOffline", alarm)
        return heartbeats

    def _operations_alarms(self, audit_stream_name: str) -> None:
        self.book.alarm(
            "CredentialsRenewalFailed",
            renewal_metric(self, "CredentialsRenewalFailed", Duration.days(1)),
            threshold=0,
            description="The daily renewal could not renew a party's credentials (the old "
            "ones keep working): see the renewal workflow's execution and `mobie-hub parties show`.",
        )
        self.book.alarm(
            "AuditWriteFailed",
            hub_metric(self, "AuditWriteFailed"),
            threshold=0,
            description="A function could not write audit records: messages are missing from the trail.",
        )
        self.book.alarm(
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
            dimensions_map={"DeliveryStreamName": audit_stream_name},
        )
        self.book.alarm(
            "AuditDeliveryLate",
            freshness,
            threshold=900,
            evaluation_periods=3,
            description="Audit records wait more than 15 min in Firehose: S3 delivery fails (see the "
            "stream's DeliveryErrors log group); Firehose keeps them and retries meanwhile (up to 24 h).",
        )

    def _cdr_delivery_alarm(self) -> None:
        # Counted once per delivery given up (mobie_hub.cdrs.delivery): the dimensionless total.
        self.book.at_least_one(
            UNDELIVERED_METRIC,
            hub_metric(self, UNDELIVERED_METRIC),
            "A CDR (a bill) could not be delivered to its EMSP after every retry (about two "
            "days): run `mobie-hub cdrs undelivered` and settle it with the EMSP (docs/operations.md).",
        )

    def _abuse_alarms(self) -> None:
        # Counted by mobie_hub.core.observability.count: each alarm watches the dimensionless total.
        for name, description in ABUSE_SIGNALS.items():
            self.book.at_least_one(name, hub_metric(self, name), description)

    def _function_alarms(self, function: lambda_.Function) -> None:
        name = label(function)
        self.book.alarm(
            f"{name}Errors",
            function.metric_errors(period=FIVE_MINUTES),
            threshold=0,
            evaluation_periods=3,
            datapoints=2,
            description=f"The {name} function raised or timed out in 2 of 3 five-minute periods.",
        )
        self.book.alarm(
            f"{name}Throttles",
            function.metric_throttles(period=FIVE_MINUTES),
            threshold=0,
            description=f"The {name} function was throttled: the account's Lambda concurrency is exhausted.",
        )

    def _table_alarm(self, key: str, table: dynamodb.Table) -> None:
        throttles = sum_of(
            f"{key} throttled requests",
            {
                "r": table.metric("ReadThrottleEvents", statistic="Sum", period=FIVE_MINUTES),
                "w": table.metric("WriteThrottleEvents", statistic="Sum", period=FIVE_MINUTES),
            },
        )
        self.book.alarm(
            f"{key.capitalize()}TableThrottles",
            throttles,
            threshold=0,
            evaluation_periods=2,
            description=f"DynamoDB throttled reads or writes of the {key} table (on-demand: a hot key or "
            "the table's throughput limit); the calling functions answer errors.",
        )

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
