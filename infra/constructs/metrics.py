"""The metrics the alarms and the dashboard watch (infra/constructs/monitoring.py).

The hub's own metrics are in the stack's namespace, its stack name (``MobieHub`` by default;
``mobie_hub.core.observability.count``), each also published without dimensions: the totals the alarms
watch. AWS's own metrics cover the rest.
"""

from __future__ import annotations

from aws_cdk import Duration, Fn, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

FIVE_MINUTES = Duration.minutes(5)


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


def renewal_metric(scope: Construct, name: str, period: Duration) -> cw.Metric:
    """A metric of the credentials renewal (published with its ``service`` dimension only)."""
    return cw.Metric(
        namespace=metrics_namespace(scope),
        metric_name=name,
        statistic="Sum",
        period=period,
        dimensions_map={"service": "mobie-hub-credentials-renewal"},
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


def sum_of(label: str, metrics: dict[str, cw.IMetric]) -> cw.MathExpression:
    """The five-minute sum of ``metrics``, a missing one counting 0 (``FILL``)."""
    return cw.MathExpression(
        expression=" + ".join(f"FILL({name}, 0)" for name in metrics),
        using_metrics=metrics,
        label=label,
        period=FIVE_MINUTES,
    )
