"""The message audit trail in AWS (docs/operations.md, "Audit trail"):

    every function ──PutRecordBatch, one record per invocation (MOBIE_AUDIT_STREAM)──▶ Firehose
        ──(GZIP, 5 min / 128 MB buffers)──▶ S3 audit/day=YYYY-MM-DD/  (versioned, Object Lock)
        ◀── Athena (Glue table, partition projection on day) ◀── the admin function (`mobie-hub audit`)

The functions send their records straight to Firehose (``mobie_hub.audit.firehose_sink``): not
through CloudWatch Logs, whose ingestion per byte cost several times Firehose's per record (the
figures are in docs/operations.md). Records older than ``AUDIT_ARCHIVE_AFTER`` move to Glacier Instant
Retrieval (still readable by Athena) and expire after ``AUDIT_RETENTION``; until then Object Lock
(governance mode, ``audit_lock_days`` days: a deploy value, infra/config.py) keeps every version from
being deleted or overwritten. The stream, the Glue database and the Athena workgroup are named after
the stack. This construct wires the parts: the buckets (``audit_storage``), the delivery stream
(``audit_delivery``), the Glue table and Athena workgroup (``audit_query``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs import audit_query
from infra.constructs.audit_delivery import delivery_stream
from infra.constructs.audit_storage import records_bucket, results_bucket

STREAM_ENV = "MOBIE_AUDIT_STREAM"  # mobie_hub.audit.settings.AuditSettings.stream


def stream_name(stack: Stack) -> str:
    """The delivery stream's name: the stack's (two stacks in one account never share one)."""
    return f"{stack.stack_name}-audit"


def workgroup_name(stack: Stack) -> str:
    return f"{stack.stack_name}-audit"


def database_name(stack: Stack) -> str:
    """``audit_<stack name>``: Glue/Athena database names take lowercase letters, digits and
    underscores only (``MobieHub-prod`` → ``audit_mobiehub_prod``)."""
    return re.sub(r"[^a-z0-9_]", "_", f"audit_{stack.stack_name}".lower())


def factory_functions(scope: Construct) -> list[lambda_.Function]:
    """Every function the FunctionFactory made: a Function beside its own "Logs" log group (CDK's
    own custom-resource functions have none and print no audit records)."""
    return [
        node
        for node in scope.node.find_all()
        if isinstance(node, lambda_.Function)
        and isinstance(node.node.scope.node.try_find_child("Logs"), logs.LogGroup)
    ]


class Audit(Construct):
    """``retain``: the stack keeps its data (the records bucket survives `cdk destroy` and has Object
    Lock enabled); ``lock_days``: how long each record version stays locked (DeployConfig.audit_lock_days)."""

    def __init__(self, scope: Construct, construct_id: str, *, retain: bool, lock_days: int) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.stream_name = stream_name(stack)
        self.database_name = database_name(stack)
        self.workgroup_name = workgroup_name(stack)
        self.lock_days = lock_days
        self.retain = retain
        self.bucket = records_bucket(self, retain=retain, lock_days=lock_days)
        self.results = results_bucket(self)
        self.stream = delivery_stream(self, name=self.stream_name, bucket=self.bucket)
        self.database = audit_query.database(self, self.database_name)
        self.table = audit_query.table(self, self.database, self.database_name, self.bucket)
        self.workgroup = audit_query.workgroup(self, self.workgroup_name, results=self.results, retain=retain)
        CfnOutput(self, "BucketName", value=self.bucket.bucket_name).override_logical_id("AuditBucketName")
        CfnOutput(self, "WorkGroupName", value=self.workgroup_name).override_logical_id("AuditWorkGroup")

    def subscribe(self, functions: Iterable[lambda_.Function]) -> None:
        """These functions' audit records go to the delivery stream: each may put into it (nothing
        else) and is told its name (``MOBIE_AUDIT_STREAM``)."""
        for function in functions:
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["firehose:PutRecordBatch"], resources=[self.stream.attr_arn])
            )
            function.add_environment(STREAM_ENV, self.stream_name)

    def grant_query(self, function: lambda_.Function) -> None:
        """Let ``function`` (the admin function) run audit queries and configure it to
        (``audit_query.grant_query``)."""
        audit_query.grant_query(
            function, workgroup_name=self.workgroup_name, database_name=self.database_name,
            records=self.bucket, results=self.results,
        )
