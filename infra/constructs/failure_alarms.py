"""The alarms of the event pipeline's failure paths (docs/operations.md, "Alarms"): one per dead-letter
queue, Step Functions workflow, EventBridge Pipe, rule and schedule group. Each fires on a single
failure in five minutes: these paths catch what they expect, so what reaches them is lost work."""

from __future__ import annotations

from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_events as events
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn

from infra.constructs.alarm_book import AlarmBook
from infra.constructs.metrics import FIVE_MINUTES, rule_dimensions, sum_of


def dead_letters(book: AlarmBook, name: str, queue: sqs.IQueue) -> None:
    book.at_least_one(
        f"{name}DeadLetters",
        queue.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, statistic="Maximum"),
        f"The {name} dead-letter queue holds messages: stream records no event was made of (no "
        "push for that change) or SessionCompleted events no CDR was created for after a day of retries. "
        "Read them (docs/operations.md, 'Dead letters'), fix the cause, then re-drive or delete them.",
    )


def workflow(book: AlarmBook, name: str, machine: sfn.IStateMachine) -> None:
    failed = sum_of(
        f"{name} executions failed, timed out or aborted",
        {
            "failed": machine.metric_failed(period=FIVE_MINUTES),
            "timedOut": machine.metric_timed_out(period=FIVE_MINUTES),
            "aborted": machine.metric_aborted(period=FIVE_MINUTES),
        },
    )
    book.at_least_one(
        f"{name}ExecutionsFailed",
        failed,
        f"A {name} Step Functions execution failed, timed out or was aborted: its tasks catch "
        "what they expect, so this is a crashed task or a broken definition. Find the execution (console, "
        "or the state machine's log group) and its failing state (docs/operations.md).",
    )


def pipe(book: AlarmBook, name: str, resource: pipes.CfnPipe) -> None:
    def metric(metric_name: str) -> cw.Metric:
        return cw.Metric(
            namespace="AWS/EventBridge/Pipes",
            metric_name=metric_name,
            statistic="Sum",
            period=FIVE_MINUTES,
            dimensions_map={"PipeName": resource.ref},  # Ref of a pipe is its name
        )

    failed = sum_of(
        f"{name} failures",
        {
            "failed": metric("ExecutionFailed"),
            "timeout": metric("ExecutionTimeout"),
            "partial": metric("ExecutionPartiallyFailed"),
        },
    )
    book.at_least_one(
        f"{name}Failed",
        failed,
        f"The {name} pipe failed records (enrichment or event bus target): those table changes "
        "were retried, then dead-lettered (see StreamEventsDeadLetters); the enrichment function's log says why.",
    )


def rule(book: AlarmBook, name: str, resource: events.Rule) -> None:
    failed = cw.Metric(
        namespace="AWS/Events",
        metric_name="FailedInvocations",
        statistic="Sum",
        period=FIVE_MINUTES,
        dimensions_map=rule_dimensions(resource),
    )
    book.at_least_one(
        f"{name}FailedInvocations",
        failed,
        f"EventBridge could not invoke the {name} rule's target after its retries (permissions, "
        "throttling, a target gone): those events reached nobody (or its dead-letter queue).",
    )


def schedules(book: AlarmBook, name: str, group: scheduler.IScheduleGroup) -> None:
    book.at_least_one(
        f"{name}Dropped",
        group.metric_dropped(period=FIVE_MINUTES, statistic="Sum"),
        f"EventBridge Scheduler gave up a run of a schedule in the {name} group (the daily "
        "credentials renewal, the OCPP heartbeat watchdog): its target could not be started (permission, "
        "throttling, a target gone). A missed watchdog run leaves offline stations AVAILABLE a minute longer; "
        "a missed renewal start renews nothing that day.",
    )
