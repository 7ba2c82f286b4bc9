"""The OCPP heartbeat watchdog (issue #17 item 4, ``mobie_hub.ocpp.watchdog``), made in the OCPP
gateway's scope: the ``station_watchdog`` function and the EventBridge Scheduler schedule that runs it
every ``WATCHDOG_RATE`` for the stations that missed heartbeats (a lost ``$disconnect``, a silent open
connection). ``$disconnect`` marks the other case, a connection that ended."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from constructs import Construct

from infra.constructs.function_factory import FunctionFactory

# The heartbeat watchdog's period: a station is marked offline at most this long after its grace ended.
# Each run is one Query of the stations' liveness partition (~0.5 read unit per 4 KB: ~190 for 10,000
# stations), 1,440 runs a day.
WATCHDOG_RATE = Duration.minutes(1)


def watchdog_function(
    scope: Construct, factory: FunctionFactory, reserved_concurrency: int | None
) -> lambda_.Function:
    return factory.create(
        scope,
        "Watchdog",
        reserved_concurrency=reserved_concurrency,
        source="station_watchdog",
        service="ocpp-watchdog",
        description="OCPP heartbeat watchdog: stations not heard for the grace become UNKNOWN",
        writes=("stations", "locations"),
    )


def watchdog_schedule(
    scope: Construct, function: lambda_.Function, schedule_group: scheduler.IScheduleGroup | None
) -> scheduler.Schedule:
    """Runs ``function`` every ``WATCHDOG_RATE``, through a role that may invoke it and nothing else."""
    role = iam.Role(
        scope,
        "WatchdogScheduleRole",
        assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
        description="EventBridge Scheduler: invoke the OCPP heartbeat watchdog, nothing else",
    )
    schedule = scheduler.Schedule(
        scope,
        "WatchdogSchedule",
        description="OCPP heartbeat watchdog: marks stations that missed heartbeats offline (issue #17)",
        schedule_group=schedule_group,
        schedule=scheduler.ScheduleExpression.rate(WATCHDOG_RATE),
        target=scheduler_targets.LambdaInvoke(
            function,
            role=role,
            input=scheduler.ScheduleTargetInput.from_object({"source": "schedule"}),
            retry_attempts=0,  # the next run, a minute later, does the same work
            max_event_age=Duration.minutes(1),
        ),
    )
    function_id = Stack.of(scope).resolve(function.node.default_child.logical_id)
    Validations.of(role).acknowledge(
        Acknowledgment(
            id=f"AwsSolutions-IAM5[Resource::<{function_id}.Arn>:*]",
            reason="The scheduler target's grant allows the watchdog function's versions and aliases "
            "(ARN + ':*') beside the function itself; it is still this one function.",
        )
    )
    return schedule
