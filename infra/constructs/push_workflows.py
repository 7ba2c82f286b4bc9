"""The push workflows (docs/events.md): Express state machines whose tasks are the push Lambdas.

- **Fan-out** (``push_fanout.asl.json``): the Location event's claimed fan-out (recipients in
  batches) → Map → one push task per batch, its parties at once; a push task that fails has its batch
  reported by the workflow (a DynamoDB UpdateItem of the claim), so the Location's next fan-out does
  not wait for the claim's lease.
- **Owner push** (``push_owner.asl.json``): one task, no recipients Lambda, no Map.

Express, not Standard: they run for every push (millions a month at national scale), and Standard
bills each state transition. Both log errors only (level ERROR, no execution data): a successful run
leaves no log bytes. The machines are made in the scope of the ``Events`` construct
(``infra/constructs/events.py``), which owns their functions and the rules that start them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aws_cdk import Acknowledgment, RemovalPolicy, Validations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constants import FANOUT_WORKFLOW_TIMEOUT, LOG_RETENTION
from infra.constructs.acknowledgments import invoke_acknowledgment

FANOUT_DEFINITION = Path(__file__).with_name("push_fanout.asl.json")
OWNER_DEFINITION = Path(__file__).with_name("push_owner.asl.json")

_LOG_DELIVERY = Acknowledgment(
    id="AwsSolutions-IAM5[Resource::*]",
    reason="Step Functions' log delivery (logs:CreateLogDelivery & co.) and X-Ray tracing support no "
    "resource-level permissions; CDK adds exactly those actions on '*'.",
)
_ERRORS_ONLY = Acknowledgment(
    id="AwsSolutions-SF1",
    reason="The push workflows run for every push (millions a month): they log errors only (issue #18). "
    "A successful run is counted by its push Lambda (PushSent/PushFailed metrics, one log line per "
    "outbound call) and traced in X-Ray; logging ALL with execution data cost ~2 KB of CloudWatch "
    "Logs ingestion per push.",
)


def push_workflow(
    scope: Construct,
    construct_id: str,
    definition: Path,
    logs_id: str,
    functions: Mapping[str, lambda_.Function],
    values: Mapping[str, str] | None = None,
    *,
    retain_logs: bool,
) -> sfn.StateMachine:
    """An Express state machine from ``definition``: ``functions`` substituted by name (and allowed to
    be invoked by it), ``values`` as they are; errors logged to its own log group."""
    log_group = logs.LogGroup(
        scope,
        logs_id,
        retention=LOG_RETENTION,
        removal_policy=RemovalPolicy.RETAIN if retain_logs else RemovalPolicy.DESTROY,
    )
    machine = sfn.StateMachine(
        scope,
        construct_id,
        state_machine_type=sfn.StateMachineType.EXPRESS,
        definition_body=sfn.DefinitionBody.from_string(definition.read_text(encoding="utf-8")),
        definition_substitutions={**{name: fn.function_arn for name, fn in functions.items()}, **(values or {})},
        timeout=FANOUT_WORKFLOW_TIMEOUT,
        tracing_enabled=True,
        # Errors only: a successful run is in the push Lambda's own metrics (PushSent/PushFailed),
        # and ALL with execution data cost ~2 KB of CloudWatch Logs ingestion per session push.
        logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ERROR, include_execution_data=False),
    )
    for fn in functions.values():
        fn.grant_invoke(machine)
    Validations.of(machine).acknowledge(
        *(invoke_acknowledgment(fn) for fn in functions.values()), _LOG_DELIVERY, _ERRORS_ONLY
    )
    return machine
