"""The operator's admin function (docs/deploy.md): the admin operations of ``mobie-hub <command>
--stack NAME`` (``mobie_hub/admin/registry.py``), invoked with the operator's IAM credentials only —
no URL, never on the EMSP-facing API. The stack output ``AdminFunctionName`` is how the CLI finds it.

Its grants are those of the operations it serves: parties (invite, register, renew, …, with calls
to the parties), the station registry (locations, tariffs imports), tokens sync, CDR credits, stations
(passwords, calls through the OCPP gateway), status, and audit queries (Athena).
"""

from __future__ import annotations

from aws_cdk import CfnOutput
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.constants import ADMIN_TIMEOUT
from infra.constructs.function_factory import FunctionFactory

WRITES = ("parties", "locations", "tariffs", "tokens", "stations", "cdrs")  # cdrs: `cdrs credit`
READS = ("sessions",)


class Admin(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, factory: FunctionFactory, public_url: str) -> None:
        super().__init__(scope, construct_id)
        self.function: lambda_.Function = factory.create(
            self,
            "Function",
            source="admin",
            service="admin",
            description="Operator admin operations (mobie-hub … --stack); invoked with IAM only",
            reads=READS,
            writes=WRITES,
            timeout=ADMIN_TIMEOUT,
            environment={"MOBIE_PUBLIC_URL": public_url},  # registration sends the hub's versions URL
        )
        CfnOutput(self, "FunctionName", value=self.function.function_name).override_logical_id(
            "AdminFunctionName"
        )
