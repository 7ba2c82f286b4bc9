"""The command lifecycle (profile §11, docs/commands.md): one Step Functions *Standard* execution per
accepted command (``command_lifecycle.asl.json`` beside this file).

    OCPI commands function ──StartExecution──> state machine
        SendAndWait  lambda:invoke.waitForTaskToken → functions/command_send (sends the OCPP call),
                     TimeoutSecondsPath = the timeout promised in the CommandResponse
        Decide       lambda:invoke → functions/command_result (decides, POSTs the CommandResult)
    OCPP $default function ──SendTaskSuccess──> the waiting execution (the answer, StartTransaction…)

Standard, not Express: Express workflows support no ``.waitForTaskToken``. The state machine has a
fixed name (stack name + suffix) so that the functions it invokes can be told its ARN and granted
SendTaskSuccess on it without a dependency cycle (machine → function → role policy → machine).
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Acknowledgment, ArnFormat, CfnOutput, RemovalPolicy, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constants import (
    COMMAND_LIFECYCLE_SUFFIX,
    COMMAND_RESULT_TIMEOUT,
    COMMAND_SEND_TIMEOUT,
    COMMAND_WORKFLOW_TIMEOUT,
    LOG_RETENTION,
)
from infra.constructs.function_factory import FunctionFactory
from infra.constructs.ocpp_gateway import OcppGateway

DEFINITION = Path(__file__).with_name("command_lifecycle.asl.json")
STATE_MACHINE_ENV = "MOBIE_COMMAND_STATE_MACHINE_ARN"  # mobie_hub.commands.config.CommandSettings


class Commands(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        factory: FunctionFactory,
        commands_function: lambda_.Function,
        ocpp: OcppGateway,
        public_url: str,
        retain_logs: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.state_machine_name = f"{stack.stack_name}-{COMMAND_LIFECYCLE_SUFFIX}"
        self.state_machine_arn = stack.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=self.state_machine_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        environment = {"MOBIE_PUBLIC_URL": public_url, STATE_MACHINE_ENV: self.state_machine_arn}
        self.send_function = factory.create(
            self,
            "SendTask",
            source="command_send",
            service="command-send",
            description="Command lifecycle: send the command's OCPP call (waitForTaskToken task)",
            writes=("commands", "stations"),
            timeout=COMMAND_SEND_TIMEOUT,
            environment=environment,
        )
        ocpp.grant_send_calls(self.send_function)
        self.result_function = factory.create(
            self,
            "ResultTask",
            source="command_result",
            service="command-result",
            description="Command lifecycle: decide the CommandResult (profile §11) and POST it to the EMSP",
            reads=("locations",),
            # sessions: a failed START_SESSION invalidates its PENDING session; parties: a failed POST
            # marks the EMSP OFFLINE (HubClientInfo), as every outbound call does.
            writes=("commands", "sessions", "parties"),
            timeout=COMMAND_RESULT_TIMEOUT,
            environment=environment,
        )
        self.state_machine = self._state_machine(retain_logs)
        # Start an execution per accepted command; resume it from the OCPP answers and transaction events.
        commands_function.add_environment(STATE_MACHINE_ENV, self.state_machine_arn)
        self._grant(commands_function, "states:StartExecution")
        for resumer in (self.send_function, ocpp.message_function):
            self._grant(resumer, "states:SendTaskSuccess")
            resumer.add_environment(STATE_MACHINE_ENV, self.state_machine_arn)
        factory.grant_tables(ocpp.message_function, writes=("commands",))
        self._acknowledge()
        CfnOutput(self, "StateMachine", value=self.state_machine_arn).override_logical_id(
            "CommandLifecycleStateMachineArn"
        )

    def _grant(self, function: lambda_.Function, action: str) -> None:
        # By ARN string, not state_machine.grant_*: the reference would make the invoked functions'
        # policies depend on the machine that depends on them.
        function.add_to_role_policy(iam.PolicyStatement(actions=[action], resources=[self.state_machine_arn]))

    def _state_machine(self, retain_logs: bool) -> sfn.StateMachine:
        log_group = logs.LogGroup(
            self,
            "Logs",
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.RETAIN if retain_logs else RemovalPolicy.DESTROY,
        )
        machine = sfn.StateMachine(
            self,
            "Lifecycle",
            state_machine_name=self.state_machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            # Inline (not an S3 asset), so the template shows the whole workflow and cfn-lint checks it.
            definition_body=sfn.DefinitionBody.from_string(DEFINITION.read_text(encoding="utf-8")),
            definition_substitutions={
                "SendFunctionArn": self.send_function.function_arn,
                "DecideFunctionArn": self.result_function.function_arn,
            },
            timeout=COMMAND_WORKFLOW_TIMEOUT,
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL),
        )
        self.send_function.grant_invoke(machine)
        self.result_function.grant_invoke(machine)
        return machine

    def _acknowledge(self) -> None:
        stack = Stack.of(self)
        acks = [
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{stack.resolve(function.node.default_child.logical_id)}.Arn>:*]",
                reason="grant_invoke allows the task function's versions and aliases (ARN + ':*') beside the "
                "function itself; it is still this one function.",
            )
            for function in (self.send_function, self.result_function)
        ]
        acks.append(
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="Step Functions' log delivery (logs:CreateLogDelivery & co.) and X-Ray tracing support no "
                "resource-level permissions; CDK adds exactly those actions on '*'.",
            )
        )
        Validations.of(self.state_machine).acknowledge(*acks)
