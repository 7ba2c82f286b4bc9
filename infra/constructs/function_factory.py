"""The one way a Lambda function is made: ``functions/<source>/`` + both layers + least privilege.

Every function gets its own role (no managed policies), its own log group with a retention, active
tracing, and the environment variable of exactly the tables it may touch, so the grants and the
configuration come from the same ``reads``/``writes`` and cannot disagree. The DynamoDB actions on each
table are those the function's own code calls on it (``infra/grants.py``), not CDK's read / read-write groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constants import (
    ARCHITECTURE,
    FUNCTIONS_DIR,
    HANDLER,
    LOG_RETENTION,
    MEMORY_MB,
    MEMORY_MB_BY_SERVICE,
    PYTHON_VERSION,
    RUNTIME,
    SERVICE_PREFIX,
    TIMEOUT,
)
from infra.grants import table_actions
from mobie_hub.core.tables import TABLES_BY_KEY

_NOT_CODE = ["__pycache__", "*.pyc"]


@dataclass(frozen=True)
class FunctionFactory:
    """Shared settings of every function; ``create`` makes one.

    ``environment`` is what every function gets (e.g. the region the repositories connect to).
    ``retain_logs``: log groups survive stack deletion (production) or not (dev stacks).
    """

    layers: Sequence[lambda_.ILayerVersion]
    tables: Mapping[str, dynamodb.Table]
    environment: Mapping[str, str] = field(default_factory=dict)
    retain_logs: bool = True
    # Each function's ``functions/<source>/`` by its construct path: its grants follow that code.
    sources: dict[str, str] = field(default_factory=dict)

    def create(
        self,
        scope: Construct,
        construct_id: str,
        *,
        source: str,
        service: str,
        description: str,
        reads: Iterable[str] = (),
        writes: Iterable[str] = (),
        handler: str = HANDLER,
        timeout: Duration = TIMEOUT,
        environment: Mapping[str, str] | None = None,
        reserved_concurrency: int | None = None,
    ) -> lambda_.Function:
        """A function from ``functions/<source>/``; ``reads``/``writes`` are table keys.
        ``reserved_concurrency``: its own share of the account's concurrency (None: the shared pool)."""
        writes = tuple(dict.fromkeys(writes))
        reads = tuple(key for key in dict.fromkeys(reads) if key not in writes)
        unknown = [key for key in (*reads, *writes) if key not in self.tables]
        if unknown:
            raise ValueError(f"function {source}: unknown table keys {unknown}")

        group = Construct(scope, construct_id)
        log_group = logs.LogGroup(
            group,
            "Logs",
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.RETAIN if self.retain_logs else RemovalPolicy.DESTROY,
        )
        role = iam.Role(
            group,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{SERVICE_PREFIX}-{service}: its log group, its tables, X-Ray",
        )
        log_group.grant_write(role)  # instead of AWSLambdaBasicExecutionRole's logs:* on every group

        function = lambda_.Function(
            group,
            "Function",
            code=lambda_.Code.from_asset(str(FUNCTIONS_DIR / source), exclude=_NOT_CODE),
            handler=handler,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            memory_size=MEMORY_MB_BY_SERVICE.get(service, MEMORY_MB),
            timeout=timeout,
            tracing=lambda_.Tracing.ACTIVE,
            layers=list(self.layers),
            role=role,
            log_group=log_group,
            # START/END/REPORT are INFO platform lines, ~300 B an invocation: more than the rest of an
            # OCPP message's log since issue #18. WARN keeps timeouts and crashes; JSON format is what
            # system/application log levels need (the hub's own lines are JSON already).
            logging_format=lambda_.LoggingFormat.JSON,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            description=description,
            reserved_concurrent_executions=reserved_concurrency,
            environment={
                **self.environment,
                "POWERTOOLS_SERVICE_NAME": f"{SERVICE_PREFIX}-{service}",
                # The stack's own namespace (its name), so two stacks' metrics and alarms never mix.
                "POWERTOOLS_METRICS_NAMESPACE": Stack.of(scope).stack_name,
                **{TABLES_BY_KEY[key].env_var: self.tables[key].table_name for key in (*reads, *writes)},
                **(environment or {}),
            },
        )
        self.sources[function.node.path] = source
        self._grant_tables(function, reads, writes)
        _acknowledge(group, {key: self.tables[key] for key in (*reads, *writes)})
        return function

    def grant_tables(
        self, function: lambda_.Function, *, reads: Iterable[str] = (), writes: Iterable[str] = ()
    ) -> None:
        """Let a function this factory made use more tables: the grants of ``create``, and the variables."""
        writes = tuple(dict.fromkeys(writes))
        reads = tuple(key for key in dict.fromkeys(reads) if key not in writes)
        for key in (*reads, *writes):
            function.add_environment(TABLES_BY_KEY[key].env_var, self.tables[key].table_name)
        self._grant_tables(function, reads, writes)
        _acknowledge(function.node.scope, {key: self.tables[key] for key in (*reads, *writes)}, base=False)

    def _grant_tables(self, function: lambda_.Function, reads: Sequence[str], writes: Sequence[str]) -> None:
        """Only the actions the function's code calls on each table (infra/grants.py), on the table and
        its GSIs."""
        source = self.sources[function.node.path]
        for key in (*reads, *writes):
            table = self.tables[key]
            resources = [table.table_arn]
            if TABLES_BY_KEY[key].indexes:
                resources.append(f"{table.table_arn}/index/*")
            function.add_to_role_policy(
                iam.PolicyStatement(actions=list(table_actions(key, write=key in writes, source=source)), resources=resources)
            )


def _acknowledge(group: Construct, tables: Mapping[str, dynamodb.Table], *, base: bool = True) -> None:
    """Deliberate cdk-nag findings of one function and its role, one by one (IAM5 per resource);
    ``base``: also those of every function (runtime, X-Ray), once per function."""
    acks = [] if not base else [
        Acknowledgment(
            id="AwsSolutions-L1",
            reason=f"The runtime is pinned to python{PYTHON_VERSION} (infra/constants.py): the dependency layer's "
            "compiled wheels (pydantic-core, rpds-py) are built for exactly that version, so moving to a newer "
            "runtime is a deliberate change of that one constant, tested, never an implicit upgrade.",
        ),
        Acknowledgment(
            id="AwsSolutions-IAM5[Resource::*]",
            reason="Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no "
            "resource-level permissions, so X-Ray requires Resource '*' (CDK adds exactly these two).",
        ),
    ]
    stack = Stack.of(group)
    for key, table in tables.items():
        if not TABLES_BY_KEY[key].indexes:
            continue
        logical_id = stack.resolve(table.node.default_child.logical_id)
        acks.append(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/index/*]",
                reason=f"Query on this table's own GSIs ({', '.join(i.name for i in TABLES_BY_KEY[key].indexes)}, "
                "from its TableSpec) needs the index ARNs; the wildcard stays under this one table's ARN.",
            )
        )
    Validations.of(group).acknowledge(*acks)
