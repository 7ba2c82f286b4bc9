"""Monitoring construct: alarms on push failures, API 5xx, every function's errors and throttles,
every table's throttles, stations offline (heartbeat anomaly) and the audit pipeline; each notifies
the encrypted alarm topic; one dashboard."""

from __future__ import annotations

import json

import pytest

from infra.constants import DASHBOARD_NAME, METRICS_NAMESPACE, PUSH_FAILURE_RATE_PERCENT
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
    assert dashboard["Properties"]["DashboardName"] == DASHBOARD_NAME
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
