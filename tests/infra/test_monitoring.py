"""Monitoring construct: alarms on push failures (overall and per party), API 5xx, every function's
errors and throttles, every table's throttles, stations offline (heartbeat anomaly), the audit pipeline,
and every failure path of the event pipeline and workflows (dead letters, Step Functions executions,
Pipes, rule invocations); each notifies the encrypted alarm topic; one dashboard."""

from __future__ import annotations

import json

import pytest

from infra.constants import (
    DASHBOARD_SUFFIX,
    METRICS_NAMESPACE,
    PUSH_FAILURE_RATE_PERCENT,
    PUSH_FAILURES_PER_PARTY,
)
from infra.constructs.audit import factory_functions
from infra.constructs.monitoring import label
from mobie_hub.core.tables import ALL_TABLES

pytestmark = pytest.mark.infra


def _alarms(synth) -> dict[str, dict]:
    prefix = f"{synth.stack.stack_name}-"
    return {
        a["Properties"]["AlarmName"].removeprefix(prefix): a["Properties"]
        for a in synth.of_type("AWS::CloudWatch::Alarm").values()
    }


def _metric(query: dict) -> dict:
    return query["MetricStat"]["Metric"]


def test_every_alarm_notifies_the_alarm_topic(prod):
    topic = prod.logical_id(prod.stack.monitoring.topic)
    alarms = _alarms(prod)
    assert len(alarms) >= 40
    assert all(alarm["AlarmActions"] == [{"Ref": topic}] for alarm in alarms.values())
    assert all(alarm["AlarmDescription"] for alarm in alarms.values())


def test_the_push_failure_rate_is_failed_over_all_pushes_of_every_party(prod):
    alarm = _alarms(prod)["PushFailureRate"]
    queries = {q["Id"]: q for q in alarm["Metrics"]}
    assert queries["expr_1"]["Expression"] == "100 * FILL(failed, 0) / (FILL(sent, 0) + FILL(failed, 0))"
    for name, metric in (("sent", "PushSent"), ("failed", "PushFailed")):
        # the dimensionless total mobie_hub.core.observability.count publishes beside the per-party metric
        assert _metric(queries[name]) == {"MetricName": metric, "Namespace": METRICS_NAMESPACE}
    assert alarm["Threshold"] == PUSH_FAILURE_RATE_PERCENT and alarm["EvaluationPeriods"] == 2


def test_api_5xx_is_a_share_of_the_ocpi_requests(prod):
    alarm = _alarms(prod)["OcpiApi5xx"]
    assert alarm["MetricName"] == "5XXError" and alarm["Namespace"] == "AWS/ApiGateway"
    assert alarm["Statistic"] == "Average" and alarm["Threshold"] == 0.01


def test_every_function_has_an_errors_and_a_throttles_alarm(prod):
    alarms = _alarms(prod)
    for function in factory_functions(prod.stack):
        reference = {"Ref": prod.logical_id(function)}
        for kind in ("Errors", "Throttles"):
            alarm = alarms[f"{label(function)}{kind}"]
            assert alarm["MetricName"] == kind and alarm["Namespace"] == "AWS/Lambda"
            assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": reference}]


def test_every_table_has_a_throttles_alarm_on_reads_and_writes(prod):
    alarms = _alarms(prod)
    for spec in ALL_TABLES:
        alarm = alarms[f"{spec.key.capitalize()}TableThrottles"]
        names = sorted(_metric(q)["MetricName"] for q in alarm["Metrics"] if "MetricStat" in q)
        assert names == ["ReadThrottleEvents", "WriteThrottleEvents"]


def test_stations_offline_is_a_drop_of_heartbeats_below_the_learned_band(prod):
    alarm = _alarms(prod)["StationsOffline"]
    assert (
        alarm["ComparisonOperator"] == "LessThanLowerThreshold" and alarm["TreatMissingData"] == "breaching"
    )
    queries = {q["Id"]: q for q in alarm["Metrics"]}
    band = queries[alarm["ThresholdMetricId"]]["Expression"]
    assert band.startswith("ANOMALY_DETECTION_BAND(")
    [heartbeats] = [q for q in queries.values() if "MetricStat" in q]
    assert _metric(heartbeats)["MetricName"] == "OcppMessages"
    assert _metric(heartbeats)["Dimensions"] == [
        {"Name": "action", "Value": "Heartbeat"},
        {"Name": "direction", "Value": "in"},
    ]
    assert heartbeats["MetricStat"]["Period"] == 600


def test_the_audit_pipeline_and_renewals_are_watched(prod):
    alarms = _alarms(prod)
    assert alarms["AuditDeliveryLate"]["MetricName"] == "DeliveryToS3.DataFreshness"
    assert alarms["AuditWriteFailed"]["Namespace"] == METRICS_NAMESPACE
    assert alarms["CredentialsRenewalFailed"]["Dimensions"] == [
        {"Name": "service", "Value": "mobie-hub-credentials-renewal"}
    ]
    assert alarms["OcppGatewayErrors"]["MetricName"] == "IntegrationError"


@pytest.mark.parametrize("name", ["ImplausibleMeterReadings", "IdTagConflicts"])
def test_abuse_signals_alarm_on_the_first_one_in_the_namespace_the_code_counts_in(prod, name):
    # Issue #12: an implausible meter (sessions.plausibility) or an idTag two EMSPs claim (ocpp.authority),
    # counted by mobie_hub.core.observability.count: its dimensionless total, in the hub's namespace.
    from mobie_hub.core.observability import METRICS_NAMESPACE as CODE_NAMESPACE
    from mobie_hub.sessions.plausibility import METRIC

    assert METRIC == "ImplausibleMeterReadings" and CODE_NAMESPACE == METRICS_NAMESPACE
    alarm = _alarms(prod)[name]
    assert (alarm["MetricName"], alarm["Namespace"], alarm["Statistic"]) == (name, METRICS_NAMESPACE, "Sum")
    assert "Dimensions" not in alarm
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["TreatMissingData"]) == (300, 1, "notBreaching")
    topic = prod.logical_id(prod.stack.monitoring.topic)
    assert alarm["AlarmActions"] == [{"Ref": topic}]


def test_a_cdr_given_up_alarms_on_the_first_one_in_the_metric_the_code_counts(prod):
    # Issue #17 item 12: a CDR (a bill) its EMSP never accepted after every retry is the operator's.
    from mobie_hub.cdrs.delivery import UNDELIVERED_METRIC

    alarm = _alarms(prod)[UNDELIVERED_METRIC]
    assert (alarm["MetricName"], alarm["Namespace"], alarm["Statistic"]) == (
        "CdrUndelivered", METRICS_NAMESPACE, "Sum"
    )
    assert "Dimensions" not in alarm  # the total over every EMSP
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    assert "mobie-hub cdrs undelivered" in alarm["AlarmDescription"]


def test_the_alarm_topic_is_encrypted_with_a_key_cloudwatch_may_use(prod):
    [topic] = prod.of_type("AWS::SNS::Topic").values()
    key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    key = prod.resources[key_id]["Properties"]
    assert key["EnableKeyRotation"] is True
    assert any(
        s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"} for s in key["KeyPolicy"]["Statement"]
    )


def test_the_dashboard_shows_the_hub_metrics(prod):
    [dashboard] = prod.of_type("AWS::CloudWatch::Dashboard").values()
    assert dashboard["Properties"]["DashboardName"] == f"{prod.stack.stack_name}-{DASHBOARD_SUFFIX}"
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in (
        "OcpiRequests",
        "PushSent",
        "PushFailed",
        "OcppMessages",
        "OcppCallErrors",
        "CommandResults",
        "CredentialsRenewed",
        "5XXError",
        "WriteThrottleEvents",
        "ImplausibleMeterReadings",
        "IdTagConflicts",
    ):
        assert metric in body, metric


def _topic_ref(synth) -> list[dict]:
    return [{"Ref": synth.logical_id(synth.stack.monitoring.topic)}]


def test_push_failures_alarm_per_party_with_a_metrics_insights_query(prod):
    # GROUP BY party: each party is a contributor of its own (a multi time series alarm), so one EMSP
    # failing alarms although the overall rate stays low, and a new party needs no deploy.
    alarm = _alarms(prod)["PushFailuresByParty"]
    [query] = alarm["Metrics"]
    assert query["Expression"] == (
        f'SELECT SUM(PushFailed) FROM SCHEMA("{METRICS_NAMESPACE}", module, party) GROUP BY party'
    )
    assert query["Period"] == 900 and query["ReturnData"] is True  # a query alarm needs its period
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (
        PUSH_FAILURES_PER_PARTY, "GreaterThanOrEqualToThreshold"
    )
    assert alarm["AlarmActions"] == _topic_ref(prod)


def test_push_failed_is_counted_with_the_party_dimension_the_query_groups_by():
    # The query's schema is what mobie_hub.core.observability.count publishes for a failed push.
    import inspect

    from mobie_hub.events import fanout

    source = inspect.getsource(fanout)
    assert 'count("PushFailed", module=route.module, party=party.label)' in source


def test_the_dead_letter_queue_alarms_on_its_first_message(prod):
    alarm = _alarms(prod)["StreamEventsDeadLetters"]
    queue = prod.logical_id(prod.stack.events.dead_letters)
    assert alarm["Namespace"] == "AWS/SQS" and alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    assert alarm["AlarmActions"] == _topic_ref(prod)


@pytest.mark.parametrize(
    ("name", "machine"),
    [
        ("EventsPushFanout", lambda stack: stack.events.fanout),
        ("CommandsLifecycle", lambda stack: stack.commands.state_machine),
        ("WorkflowsCredentialsRenewal", lambda stack: stack.workflows.renewal),
    ],
)
def test_every_workflow_alarms_on_failed_timed_out_or_aborted_executions(prod, name, machine):
    alarm = _alarms(prod)[f"{name}ExecutionsFailed"]
    queries = {q["Id"]: q for q in alarm["Metrics"]}
    expected = {"failed": "ExecutionsFailed", "timedOut": "ExecutionsTimedOut", "aborted": "ExecutionsAborted"}
    for key, metric_name in expected.items():
        metric = _metric(queries[key])
        assert (metric["Namespace"], metric["MetricName"]) == ("AWS/States", metric_name)
        assert metric["Dimensions"] == [
            {"Name": "StateMachineArn", "Value": {"Ref": prod.logical_id(machine(prod.stack))}}
        ]
    assert alarm["Threshold"] == 1 and alarm["AlarmActions"] == _topic_ref(prod)


def test_every_state_machine_of_the_stack_is_watched(prod):
    machines = prod.of_type("AWS::StepFunctions::StateMachine")
    watched = {
        q["MetricStat"]["Metric"]["Dimensions"][0]["Value"]["Ref"]
        for name, alarm in _alarms(prod).items()
        if name.endswith("ExecutionsFailed")
        for q in alarm["Metrics"]
        if "MetricStat" in q
    }
    assert watched == set(machines)


def test_every_pipe_alarms_on_failed_records(prod):
    alarms = _alarms(prod)
    assert prod.stack.events.pipes, "the stack has pipes"
    for key, pipe in prod.stack.events.pipes.items():
        alarm = alarms[f"Events{key.title()}PipeFailed"]
        metrics = [_metric(q) for q in alarm["Metrics"] if "MetricStat" in q]
        assert sorted(m["MetricName"] for m in metrics) == [
            "ExecutionFailed", "ExecutionPartiallyFailed", "ExecutionTimeout"
        ]
        assert all(m["Namespace"] == "AWS/EventBridge/Pipes" for m in metrics)
        assert all(m["Dimensions"] == [{"Name": "PipeName", "Value": {"Ref": prod.logical_id(pipe)}}] for m in metrics)
        assert alarm["AlarmActions"] == _topic_ref(prod)


def test_rules_alarm_on_failed_invocations_with_the_dimensions_of_their_bus(prod):
    alarms = _alarms(prod)
    bus = {"Ref": prod.logical_id(prod.stack.events.bus)}
    for name, rule in (("EventsPushRule", prod.stack.events.rule), ("EventsCdrRule", prod.stack.events.cdr_rule)):
        alarm = alarms[f"{name}FailedInvocations"]
        # A rule on a custom bus: Ref is "<bus>|<rule>", its metrics carry EventBusName and RuleName.
        assert alarm["Dimensions"] == [
            {"Name": "EventBusName", "Value": bus},
            {"Name": "RuleName", "Value": {"Fn::Select": [1, {"Fn::Split": ["|", {"Ref": prod.logical_id(rule)}]}]}},
        ]
    schedule = alarms["EventsCdrRedeliveryScheduleFailedInvocations"]  # the default bus: RuleName only
    assert schedule["Dimensions"] == [
        {"Name": "RuleName", "Value": {"Ref": prod.logical_id(prod.stack.events.cdr_redelivery_rule)}}
    ]
    rules = prod.of_type("AWS::Events::Rule")
    watched = [alarm for name, alarm in alarms.items() if name.endswith("FailedInvocations")]
    assert len(watched) == len(rules) >= 3  # every rule of the stack, whichever construct made it
    for alarm in watched:
        assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Events", "FailedInvocations")
        assert alarm["AlarmActions"] == _topic_ref(prod)


def test_the_audit_freshness_alarm_watches_this_stacks_delivery_stream(prod):
    alarm = _alarms(prod)["AuditDeliveryLate"]
    assert alarm["Dimensions"] == [
        {"Name": "DeliveryStreamName", "Value": {"Ref": prod.logical_id(prod.stack.audit.stream)}}
    ]


def test_every_alarm_is_described_in_the_operations_runbook(prod):
    # docs/operations.md "Alarms" names each alarm (per-function/table alarms by their pattern).
    from infra.constants import ROOT

    runbook = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    functions = {f"{label(f)}{kind}" for f in factory_functions(prod.stack) for kind in ("Errors", "Throttles")}
    tables = {f"{spec.key.capitalize()}TableThrottles" for spec in ALL_TABLES}
    patterns = {
        "<Construct><Function>Errors": functions,
        "<Table>TableThrottles": tables,
        "<Construct><Pipe>Failed": {n for n in _alarms(prod) if n.endswith("PipeFailed")},
        "<Construct><StateMachine>ExecutionsFailed": {n for n in _alarms(prod) if n.endswith("ExecutionsFailed")},
        "<Construct><Rule>FailedInvocations": {n for n in _alarms(prod) if n.endswith("FailedInvocations")},
    }
    covered = set().union(*(names for pattern, names in patterns.items() if f"`{pattern}`" in runbook))
    missing = [name for name in _alarms(prod) if name not in covered and f"`{name}`" not in runbook]
    assert missing == []


def test_the_stacks_schedules_are_in_its_own_group_whose_dropped_runs_alarm(prod):
    [(group_id, group)] = prod.of_type("AWS::Scheduler::ScheduleGroup").items()
    name = group["Properties"]["Name"]
    assert name == f"{prod.stack.stack_name}-schedules"
    schedules = prod.of_type("AWS::Scheduler::Schedule").values()
    assert len(schedules) >= 2  # the daily renewal, the OCPP watchdog
    assert all(s["Properties"]["GroupName"] == name and group_id in s["DependsOn"] for s in schedules)
    alarm = _alarms(prod)["SchedulesDropped"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Scheduler", "InvocationDroppedCount")
    assert alarm["Dimensions"] == [{"Name": "ScheduleGroup", "Value": name}]
    assert alarm["Threshold"] == 1 and alarm["AlarmActions"] == _topic_ref(prod)
