"""The one stack: builds the constructs and passes each what it needs, nothing else."""

from __future__ import annotations

from typing import TypeVar

from aws_cdk import CfnOutput, Environment, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.config import DeployConfig
from infra.constants import (
    ADMIN_ID,
    AUDIT_ID,
    COMMANDS_ID,
    DATA_ID,
    DESCRIPTION,
    EVENTS_ID,
    LAYERS_ID,
    MONITORING_ID,
    OCPI_API_ID,
    OCPP_GATEWAY_ID,
    WORKFLOWS_ID,
)
from infra.constructs.admin import Admin
from infra.constructs.audit import Audit, factory_functions
from infra.constructs.commands import Commands
from infra.constructs.data import Data
from infra.constructs.events import SESSION_PUSH_INTERVAL_ENV, Events
from infra.constructs.function_factory import FunctionFactory
from infra.constructs.layers import Layers
from infra.constructs.monitoring import Monitoring
from infra.constructs.ocpi_api import OcpiApi
from infra.constructs.ocpp_gateway import OcppGateway
from infra.constructs.workflows import Workflows

T = TypeVar("T")


def found(scope: Construct, kind: type[T]) -> dict[str, T]:
    """Every construct of ``kind`` under ``scope``, by "<its construct's id><its id>" (EventsPushFanout)."""
    return {
        f"{node.node.scope.node.id}{node.node.id}": node
        for node in scope.node.find_all()
        if isinstance(node, kind)
    }


class MobieHubStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig) -> None:
        super().__init__(
            scope,
            construct_id,
            env=Environment(account=config.account, region=config.region),
            description=DESCRIPTION,
        )
        self.data = Data(self, DATA_ID, retain=config.retain_data)
        self.layers = Layers(self, LAYERS_ID, prebuilt_dependencies=config.dependency_layer_dir)
        self.functions = FunctionFactory(
            layers=self.layers.all,
            tables=self.data.tables,
            # Settings.aws_region (MOBIE_AWS_REGION) picks the DynamoDB endpoint; it must be this stack's.
            environment={"MOBIE_AWS_REGION": self.region},
            retain_logs=config.retain_data,
        )
        self.ocpi_api = OcpiApi(
            self, OCPI_API_ID, factory=self.functions, domain=config.domain, retain_logs=config.retain_data
        )
        # The stack's own schedule group: its dropped invocations are this stack's alone (Monitoring).
        self.schedules = scheduler.ScheduleGroup(
            self, "Schedules", schedule_group_name=f"{self.stack_name}-schedules", removal_policy=RemovalPolicy.DESTROY
        )
        self.ocpp_gateway = OcppGateway(
            self, OCPP_GATEWAY_ID, factory=self.functions, insecure_open_stations=config.insecure_open_stations,
            web_acl_arn=config.ocpp_web_acl_arn, retain_logs=config.retain_data,
            reserved_concurrency=config.station_concurrency, logging_account=self.ocpi_api.logging_account,
            station_domain=config.station_domain, hosted_zone=self.ocpi_api.hosted_zone,
            schedule_group=self.schedules,
        )
        self.workflows = Workflows(
            self, WORKFLOWS_ID, factory=self.functions, parties=self.data.tables["parties"],
            public_url=self.ocpi_api.public_url, retain_logs=config.retain_data, schedule_group=self.schedules,
        )
        self.events = Events(
            self, EVENTS_ID, factory=self.functions, tables=self.data.tables,
            public_url=self.ocpi_api.public_url, retain_logs=config.retain_data,
            session_push_interval_seconds=config.session_push_interval_seconds,
        )
        # The OCPP messages rewrite a charging session's Session item once a push window (docs/sessions.md
        # "Meter values and the Session"): the same windows as the pushes.
        self.ocpp_gateway.message_function.add_environment(
            SESSION_PUSH_INTERVAL_ENV, str(config.session_push_interval_seconds)
        )
        self.commands = Commands(  # issue 8: the command lifecycle (docs/commands.md)
            self, COMMANDS_ID, factory=self.functions,
            commands_function=self.ocpi_api.functions["commands"], ocpp=self.ocpp_gateway,
            public_url=self.ocpi_api.public_url, retain_logs=config.retain_data,
        )
        self.admin = Admin(self, ADMIN_ID, factory=self.functions, public_url=self.ocpi_api.public_url)
        self.ocpp_gateway.grant_send_calls(self.admin.function)  # `mobie-hub stations call … --stack`
        # Last: they watch every function the constructs above made (docs/operations.md).
        functions = factory_functions(self)
        self.audit = Audit(self, AUDIT_ID, retain=config.retain_data, lock_days=config.audit_lock_days)
        self.audit.subscribe(functions)
        self.audit.grant_query(self.admin.function)  # `mobie-hub audit … --stack`
        self.monitoring = Monitoring(
            self, MONITORING_ID, functions=functions, tables=self.data.tables, ocpi_api=self.ocpi_api.api,
            ocpp_api=self.ocpp_gateway.api, ocpp_stage=self.ocpp_gateway.stage.stage_name,
            audit_stream_name=self.audit.stream.ref,  # Ref of a delivery stream is its name
            dead_letter_queues={"StreamEvents": self.events.dead_letters},
            # Every workflow, pipe and rule of the stack, whichever construct made it.
            state_machines=found(self, sfn.StateMachine),
            pipes=found(self, pipes.CfnPipe),
            rules=found(self, events.Rule),
            schedule_groups={"Schedules": self.schedules},
        )
        for schedule in found(self, scheduler.Schedule).values():
            schedule.node.add_dependency(self.schedules)  # they name the group literally: create it first
        if config.placeholder:
            CfnOutput(
                self,
                "PlaceholderConfig",
                description="synthesized without deployment values",
                value="NOT DEPLOYABLE: synthesized around the placeholder domain (no domain_name, certificate_arn, "
                "truststore_uri given); `make deploy` refuses it. docs/deploy.md lists the values to set.",
            )
