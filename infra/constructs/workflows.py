"""Workflows of the parties (docs/credentials.md):

- **credentials renewal** (profile §5): an EventBridge Scheduler schedule starts, once a day, a Step
  Functions *Standard* state machine (``credentials_renewal.asl.json`` beside this file) whose tasks
  run ``functions/credentials_renewal``: list the due parties, renew each (Map), catch and count a
  crashed task. Standard, not Express: it runs once a day, so its state transitions cost nothing
  worth optimising, and Standard keeps a year of execution history for an audit of renewals.
- **HubClientInfo pushes**: the parties table stream (party items only) drives
  ``functions/hubclientinfo_push``, which tells the other parties of every connection status change.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Acknowledgment, CfnOutput, Duration, RemovalPolicy, Stack, TimeZone, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constants import (
    CLIENT_INFO_PUSH_TIMEOUT,
    LOG_RETENTION,
    RENEWAL_AGE_DAYS,
    RENEWAL_SCHEDULE_HOUR,
    RENEWAL_TASK_TIMEOUT,
    RENEWAL_WORKFLOW_TIMEOUT,
)
from infra.constructs.function_factory import FunctionFactory

RENEWAL_DEFINITION = Path(__file__).with_name("credentials_renewal.asl.json")
_PARTY_ITEMS_ONLY = {"dynamodb": {"Keys": {"sk": {"S": lambda_.FilterRule.is_equal("PARTY")}}}}


class Workflows(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        factory: FunctionFactory,
        parties: dynamodb.Table,
        public_url: str,
        retain_logs: bool = True,
        schedule_group: scheduler.IScheduleGroup | None = None,
    ) -> None:
        """``schedule_group``: the stack's group, whose dropped invocations are alarmed (else the default)."""
        super().__init__(scope, construct_id)
        self._parties_id = parties.node.default_child.logical_id
        environment = {
            "MOBIE_PUBLIC_URL": public_url,  # the hub's credentials carry its versions URL
            "MOBIE_CREDENTIALS_RENEWAL_DAYS": str(RENEWAL_AGE_DAYS),
            "MOBIE_CLIENT_INFO_PUSH": "stream",
        }
        self.renewal_function = factory.create(
            self,
            "RenewalTask",
            source="credentials_renewal",
            service="credentials-renewal",
            description="Credentials renewal workflow: list due parties, renew one, record a failure",
            writes=("parties",),
            timeout=RENEWAL_TASK_TIMEOUT,
            environment=environment,
        )
        self.renewal = self._renewal_state_machine(retain_logs)
        self.schedule = scheduler.Schedule(
            self,
            "DailyRenewal",
            description="Starts the credentials renewal workflow once a day (profile §5)",
            schedule_group=schedule_group,
            schedule=scheduler.ScheduleExpression.cron(
                hour=str(RENEWAL_SCHEDULE_HOUR), minute="0", time_zone=TimeZone.EUROPE_LISBON
            ),
            target=scheduler_targets.StepFunctionsStartExecution(
                self.renewal,
                input=scheduler.ScheduleTargetInput.from_object({"source": "schedule"}),
                # Retries of the start only (not of renewals); tomorrow's run catches up anyway.
                retry_attempts=3,
                max_event_age=Duration.hours(1),
            ),
        )
        self.client_info_push = factory.create(
            self,
            "ClientInfoPush",
            source="hubclientinfo_push",
            service="hubclientinfo-push",
            description="HubClientInfo: pushes a party's changed connection status to the other parties",
            writes=("parties",),  # a failed push marks its recipient OFFLINE
            timeout=CLIENT_INFO_PUSH_TIMEOUT,
            environment=environment,
        )
        # The mapping and its grant by hand: DynamoEventSource would also grant dynamodb:ListStreams on
        # '*'; AWS documents all four stream actions scoped to the table's streams, as here.
        lambda_.EventSourceMapping(
            self,
            "PartiesStream",
            target=self.client_info_push,
            event_source_arn=parties.table_stream_arn,
            starting_position=lambda_.StartingPosition.LATEST,
            batch_size=10,
            # A push is never retried (profile §3); one more attempt only covers a crashed batch.
            retry_attempts=1,
            bisect_batch_on_error=True,
            filters=[lambda_.FilterCriteria.filter(_PARTY_ITEMS_ONLY)],
        )
        self.client_info_push.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams",
                ],
                resources=[f"{parties.table_arn}/stream/*"],
            )
        )
        self._acknowledge()
        CfnOutput(self, "RenewalStateMachine", value=self.renewal.state_machine_arn).override_logical_id(
            "CredentialsRenewalStateMachineArn"
        )

    def _renewal_state_machine(self, retain_logs: bool) -> sfn.StateMachine:
        log_group = logs.LogGroup(
            self,
            "RenewalLogs",
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.RETAIN if retain_logs else RemovalPolicy.DESTROY,
        )
        machine = sfn.StateMachine(
            self,
            "CredentialsRenewal",
            state_machine_type=sfn.StateMachineType.STANDARD,
            # Inline (not an S3 asset), so the template shows the whole workflow and cfn-lint checks it.
            definition_body=sfn.DefinitionBody.from_string(RENEWAL_DEFINITION.read_text(encoding="utf-8")),
            definition_substitutions={"RenewalFunctionArn": self.renewal_function.function_arn},
            timeout=RENEWAL_WORKFLOW_TIMEOUT,
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL),
        )
        self.renewal_function.grant_invoke(machine)
        return machine

    def _acknowledge(self) -> None:
        stack = Stack.of(self)
        function_id = stack.resolve(self.renewal_function.node.default_child.logical_id)
        Validations.of(self.renewal).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{function_id}.Arn>:*]",
                reason="grant_invoke allows the renewal function's versions and aliases (ARN + ':*') beside the "
                "function itself; it is still this one function.",
            ),
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="Step Functions' log delivery (logs:CreateLogDelivery & co.) and X-Ray tracing support no "
                "resource-level permissions; CDK adds exactly those actions on '*'.",
            ),
        )
        Validations.of(self.node.find_child("ClientInfoPush")).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{stack.resolve(self._parties_id)}.Arn>/stream/*]",
                reason="The parties table's own streams (its stream ARN changes when the stream is re-enabled); "
                "this is AWS's documented scope for a Lambda reading a DynamoDB stream.",
            ),
        )
