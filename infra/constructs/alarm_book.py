"""Every alarm of the stack, made one way: named ``<stack>-<name>``, notifying the alarm topic, and
kept by name for the dashboard's status widget (infra/constructs/monitoring.py)."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from constructs import Construct


class AlarmBook:
    """Alarms made in ``scope`` (their construct ids, hence their logical ids, are their names)."""

    def __init__(self, scope: Construct, topic: sns.ITopic) -> None:
        self.scope = scope
        self.topic = topic
        self.alarms: dict[str, cw.AlarmBase] = {}

    def alarm(
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
            self.scope,
            name,
            alarm_name=self.alarm_name(name),
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints,
            comparison_operator=comparison,
            treat_missing_data=missing,
        )
        return self.add(name, alarm)

    def at_least_one(self, name: str, metric: cw.IMetric, description: str) -> cw.Alarm:
        """An alarm on any occurrence in the metric's period (a failure path: one is worth a look)."""
        return self.alarm(
            name,
            metric,
            threshold=1,
            comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            description=description,
        )

    def add(self, name: str, alarm: cw.AlarmBase) -> cw.AlarmBase:
        """Keep an alarm made elsewhere in ``scope`` (e.g. an anomaly detection alarm), wired to the topic."""
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        self.alarms[name] = alarm
        return alarm

    def alarm_name(self, name: str) -> str:
        return f"{Stack.of(self.scope).stack_name}-{name}"
