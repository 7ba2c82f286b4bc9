"""The message audit trail in AWS (docs/operations.md, "Audit trail"):

    every function ──PutRecordBatch, one record per invocation (MOBIE_AUDIT_STREAM)──▶ Firehose
        ──(GZIP, 5 min / 128 MB buffers)──▶ S3 audit/day=YYYY-MM-DD/  (versioned, Object Lock)
        ◀── Athena (Glue table, partition projection on day) ◀── the admin function (`mobie-hub audit`)

The functions send their records straight to Firehose (``mobie_hub.audit.firehose_sink``): not
through CloudWatch Logs, whose ingestion per byte cost several times Firehose's per record (the
figures are in docs/operations.md). Records older than ``AUDIT_ARCHIVE_AFTER`` move to Glacier Instant
Retrieval (still readable by Athena) and expire after ``AUDIT_RETENTION``; until then Object Lock
(governance mode, ``audit_lock_days`` days, CDK context) keeps every version from being deleted or
overwritten. The stream, the Glue database and the Athena workgroup are named after the stack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from aws_cdk import Acknowledgment, CfnOutput, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.config import ConfigError
from infra.constants import (
    AUDIT_ARCHIVE_AFTER,
    AUDIT_BUFFER_MB,
    AUDIT_BUFFER_SECONDS,
    AUDIT_MAX_SCAN_BYTES,
    AUDIT_QUERY_RESULTS_EXPIRY,
    AUDIT_RETENTION,
    AUDIT_TABLE,
)
from mobie_hub.audit.record import AuditRecord

RECORDS_PREFIX = "audit/"
RESULTS_PREFIX = "query-results/"
LOCK_DAYS_CONTEXT = "audit_lock_days"  # cdk deploy -c audit_lock_days=N (0: no Object Lock retention)
STREAM_ENV = "MOBIE_AUDIT_STREAM"  # mobie_hub.audit.settings.AuditSettings.stream
_GLUE_TYPES = {str: "string", int: "int", float: "double", bool: "boolean"}


def stream_name(stack: Stack) -> str:
    """The delivery stream's name: the stack's (two stacks in one account never share one)."""
    return f"{stack.stack_name}-audit"


def workgroup_name(stack: Stack) -> str:
    return f"{stack.stack_name}-audit"


def database_name(stack: Stack) -> str:
    """``audit_<stack name>``: Glue/Athena database names take lowercase letters, digits and
    underscores only (``MobieHub-prod`` → ``audit_mobiehub_prod``)."""
    return re.sub(r"[^a-z0-9_]", "_", f"audit_{stack.stack_name}".lower())


def lock_days(scope: Construct, retain: bool) -> int:
    """Days each record version stays locked: the ``audit_lock_days`` context, else the records'
    retention for a stack that retains its data, else 0 (a throwaway stack must be deletable)."""
    configured = scope.node.try_get_context(LOCK_DAYS_CONTEXT)
    if configured in (None, ""):
        return AUDIT_RETENTION.to_days() if retain else 0
    days = int(configured) if str(configured).strip().isdigit() else -1
    if not 0 <= days <= AUDIT_RETENTION.to_days():
        raise ConfigError(f"{LOCK_DAYS_CONTEXT}={configured!r}: a whole number of days from 0 to the records' "
                          f"retention ({AUDIT_RETENTION.to_days()}), or they could never expire")
    return days


def columns() -> list[glue.CfnTable.ColumnProperty]:
    """The table's columns from the record model itself, so the two cannot drift."""
    result = []
    for name, field in AuditRecord.model_fields.items():
        if name == "audit":
            continue
        kinds = [t for t in getattr(field.annotation, "__args__", (field.annotation,)) if t in _GLUE_TYPES]
        result.append(
            glue.CfnTable.ColumnProperty(name=name, type=_GLUE_TYPES[kinds[0]] if kinds else "string")
        )
    return result


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
    def __init__(self, scope: Construct, construct_id: str, *, retain: bool = True) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.stream_name = stream_name(stack)
        self.database_name = database_name(stack)
        self.workgroup_name = workgroup_name(stack)
        self.lock_days = lock_days(self, retain)
        self.retain = retain
        # Versioned with Object Lock in GOVERNANCE mode: no version can be overwritten or deleted before
        # its retention ends, except by a principal explicitly granted s3:BypassGovernanceRetention (an
        # erasure the law orders, e.g. GDPR art. 17, stays possible and is itself logged by CloudTrail);
        # COMPLIANCE mode would forbid even that, for years, with no way back. A retained stack's bucket
        # has Object Lock enabled whatever audit_lock_days is (0: no default retention), so changing
        # the days never replaces the bucket that holds years of records (enabling the lock does).
        self.bucket = s3.Bucket(
            self,
            "Records",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_lock_enabled=retain or self.lock_days > 0,
            object_lock_default_retention=(
                s3.ObjectLockRetention.governance(Duration.days(self.lock_days)) if self.lock_days else None
            ),
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
            auto_delete_objects=not retain,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="archive-then-expire",
                    prefix=RECORDS_PREFIX,
                    expiration=AUDIT_RETENTION,
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                            transition_after=AUDIT_ARCHIVE_AFTER,
                        )
                    ],
                ),
                s3.LifecycleRule(id="delivery-errors", prefix="errors/", expiration=AUDIT_RETENTION),
                # Firehose never overwrites: a noncurrent version only comes from an expiry's delete marker.
                s3.LifecycleRule(id="noncurrent", noncurrent_version_expiration=Duration.days(1),
                                 expired_object_delete_marker=True),
            ],
        )
        # Athena's results are scratch (kept a week): in their own bucket, outside the lock.
        self.results = s3.Bucket(
            self,
            "QueryResults",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
            lifecycle_rules=[s3.LifecycleRule(id="query-results", expiration=AUDIT_QUERY_RESULTS_EXPIRY)],
        )
        self.stream = self._delivery_stream()
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=stack.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(name=self.database_name),
        )
        self.table = self._table(stack)
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=self.workgroup_name,
            description="mobie-hub audit queries (mobie-hub audit --stack)",
            recursive_delete_option=not retain,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=AUDIT_MAX_SCAN_BYTES,  # a runaway query costs at most this
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=self.results.s3_url_for_object(RESULTS_PREFIX),
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_S3"
                    ),
                ),
            ),
        )
        self._acknowledge()
        CfnOutput(self, "BucketName", value=self.bucket.bucket_name).override_logical_id("AuditBucketName")
        CfnOutput(self, "WorkGroupName", value=self.workgroup_name).override_logical_id("AuditWorkGroup")

    # --- what the stack wires ------------------------------------------------------------------------
    def subscribe(self, functions: Iterable[lambda_.Function]) -> None:
        """These functions' audit records go to the delivery stream: each may put into it (nothing
        else) and is told its name (``MOBIE_AUDIT_STREAM``)."""
        for function in functions:
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["firehose:PutRecordBatch"], resources=[self.stream.attr_arn])
            )
            function.add_environment(STREAM_ENV, self.stream_name)

    def grant_query(self, function: lambda_.Function) -> None:
        """Let ``function`` (the admin function) run audit queries: Athena in the audit workgroup, the
        Glue table, the records (read) and the query results (read/write); configure it to."""
        stack = Stack.of(self)
        workgroup_arn = (
            f"arn:{stack.partition}:athena:{stack.region}:{stack.account}:workgroup/{self.workgroup_name}"
        )
        glue_arn = f"arn:{stack.partition}:glue:{stack.region}:{stack.account}"
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "athena:StartQueryExecution",
                    "athena:GetQueryExecution",
                    "athena:GetQueryResults",
                    "athena:StopQueryExecution",
                    "athena:GetWorkGroup",
                ],
                resources=[workgroup_arn],
            )
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
                resources=[
                    f"{glue_arn}:catalog",
                    f"{glue_arn}:database/{self.database_name}",
                    f"{glue_arn}:table/{self.database_name}/{AUDIT_TABLE}",
                ],
            )
        )
        # Athena reads the records and writes the results with the caller's permissions: the S3 actions
        # its documentation lists for a data location and a query results location, nothing more
        # (CDK's grant_read/grant_read_write would add Delete*, legal hold and retention actions).
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[self.bucket.arn_for_objects(f"{RECORDS_PREFIX}*")])
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                resources=[self.results.arn_for_objects(f"{RESULTS_PREFIX}*")],
            )
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                resources=[self.bucket.bucket_arn, self.results.bucket_arn],
            )
        )
        function.add_environment("MOBIE_AUDIT_ATHENA_WORKGROUP", self.workgroup_name)
        function.add_environment("MOBIE_AUDIT_ATHENA_DATABASE", self.database_name)
        function.add_environment("MOBIE_AUDIT_ATHENA_TABLE", AUDIT_TABLE)
        bucket_id = stack.resolve(self.bucket.node.default_child.logical_id)
        results_id = stack.resolve(self.results.node.default_child.logical_id)
        Validations.of(function.role).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{RECORDS_PREFIX}*]",
                reason="Audit records are one object per Firehose delivery under this prefix, read (GetObject "
                "only) by Athena on the caller's behalf: their keys are not known ahead.",
            ),
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{results_id}.Arn>/{RESULTS_PREFIX}*]",
                reason="Athena writes one result object per query under this prefix of the results bucket: "
                "their keys are not known ahead.",
            ),
        )

    # --- parts -------------------------------------------------------------------------------------
    def _delivery_stream(self) -> firehose.CfnDeliveryStream:
        role = iam.Role(
            self,
            "FirehoseRole",
            assumed_by=iam.ServicePrincipal("firehose.amazonaws.com"),
            description="The audit delivery stream: write records and delivery errors to the audit bucket",
        )
        # What Firehose's S3 destination documents, minus GetObject (it never reads back): CDK's grant_put
        # would add legal hold, retention and tagging actions on the locked records.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                resources=[self.bucket.arn_for_objects(f"{prefix}*") for prefix in (RECORDS_PREFIX, "errors/")],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                resources=[self.bucket.bucket_arn],
            )
        )
        errors = logs.LogGroup(
            self,
            "DeliveryErrors",
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=RemovalPolicy.DESTROY,
        )
        errors_stream = logs.LogStream(self, "DeliveryErrorsStream", log_group=errors)
        errors.grant_write(role)

        stream = firehose.CfnDeliveryStream(
            self,
            "Stream",
            delivery_stream_name=self.stream_name,
            delivery_stream_type="DirectPut",  # the functions put into it (one record per invocation)
            delivery_stream_encryption_configuration_input=firehose.CfnDeliveryStream.DeliveryStreamEncryptionConfigurationInputProperty(
                key_type="AWS_OWNED_CMK"
            ),
            extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
                bucket_arn=self.bucket.bucket_arn,
                role_arn=role.role_arn,
                # Partitioned by day (the arrival time, within seconds of the record's own "at"): a query
                # of one day reads that day only.
                prefix=f"{RECORDS_PREFIX}day=!{{timestamp:yyyy-MM-dd}}/",
                error_output_prefix="errors/!{firehose:error-output-type}/day=!{timestamp:yyyy-MM-dd}/",
                buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(
                    interval_in_seconds=AUDIT_BUFFER_SECONDS, size_in_m_bs=AUDIT_BUFFER_MB
                ),
                # Each record is whole JSON lines, "\n"-terminated (firehose_sink): no processing.
                compression_format="GZIP",
                cloud_watch_logging_options=firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty(
                    enabled=True,
                    log_group_name=errors.log_group_name,
                    log_stream_name=errors_stream.log_stream_name,
                ),
            ),
        )
        stream.node.add_dependency(role)
        return stream

    def _table(self, stack: Stack) -> glue.CfnTable:
        location = self.bucket.s3_url_for_object(RECORDS_PREFIX)
        table = glue.CfnTable(
            self,
            "Table",
            catalog_id=stack.account,
            database_name=self.database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name=AUDIT_TABLE,
                table_type="EXTERNAL_TABLE",
                parameters={
                    "classification": "json",
                    "compressionType": "gzip",
                    # Partition projection: Athena computes the day partitions, nothing to register daily.
                    "projection.enabled": "true",
                    "projection.day.type": "date",
                    "projection.day.format": "yyyy-MM-dd",
                    "projection.day.range": "2026-01-01,NOW",
                    "projection.day.interval": "1",
                    "projection.day.interval.unit": "DAYS",
                    "storage.location.template": f"{location}day=${{day}}/",
                },
                partition_keys=[glue.CfnTable.ColumnProperty(name="day", type="string")],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    columns=columns(),
                    location=location,
                    input_format="org.apache.hadoop.mapred.TextInputFormat",
                    output_format="org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    # One record a line: the text reader splits at "\n" / "\r" only, and
                    # AuditRecord.line escapes those and every other line separator. A malformed line
                    # (a cut log event) reads as a row of nulls the time window excludes: never fatal.
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library="org.openx.data.jsonserde.JsonSerDe",
                        parameters={"ignore.malformed.json": "true"},
                    ),
                ),
            ),
        )
        table.node.add_dependency(self.database)
        return table

    def _acknowledge(self) -> None:
        bucket_id = Stack.of(self).resolve(self.bucket.node.default_child.logical_id)
        locked = (
            f"every version is kept under Object Lock (governance, {self.lock_days} days), so no record can be "
            "changed or removed unseen"
            if self.lock_days
            else f"versioning keeps every overwritten or deleted record (no Object Lock retention: "
            f"{LOCK_DAYS_CONTEXT}=0{'' if self.retain else ', a throwaway stack'})"
        )
        reasons = {
            self.bucket: "No S3 server access logs: object-level access to the records is NOT logged by this "
            "stack. Only the Firehose role writes records and only the admin function reads them (through "
            f"Athena, whose query history names every query); {locked}. An operator who must log object "
            "reads enables CloudTrail S3 data events for this bucket (an account-level trail).",
            self.results: "No S3 server access logs: this bucket holds only Athena's query results (deleted "
            "after 7 days), written and read by the admin function's audit queries alone.",
        }
        for bucket, reason in reasons.items():
            Validations.of(bucket).acknowledge(Acknowledgment(id="AwsSolutions-S1", reason=reason))
        Validations.of(self).acknowledge(
            *(
                Acknowledgment(
                    id=f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{prefix}*]",
                    reason=f"Firehose writes objects under the bucket's {prefix} prefix, named by day and "
                    "delivery (the keys are not known in advance); nothing outside this one bucket and prefix.",
                )
                for prefix in (RECORDS_PREFIX, "errors/")
            ),
        )
