"""The message audit trail in AWS (docs/operations.md, "Audit trail"):

    every function's log group ──subscription filter { $.audit = "mobie-hub/1" }──▶ Firehose
        ──(decompress, extract the log message, GZIP, 5 min / 128 MB buffers)──▶ S3 audit/day=YYYY-MM-DD/
        ◀── Athena (Glue table, partition projection on day) ◀── the admin function (`mobie-hub audit`)

The functions only print one JSON line per message (``mobie_hub.audit.log_sink``): no call to any AWS
service on the request path. Records older than ``AUDIT_ARCHIVE_AFTER`` move to Glacier Instant
Retrieval (still readable by Athena) and expire after ``AUDIT_RETENTION``.
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import Acknowledgment, CfnOutput, RemovalPolicy, Stack, Validations
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constants import (
    AUDIT_ARCHIVE_AFTER,
    AUDIT_BUFFER_MB,
    AUDIT_BUFFER_SECONDS,
    AUDIT_DATABASE,
    AUDIT_MAX_SCAN_BYTES,
    AUDIT_QUERY_RESULTS_EXPIRY,
    AUDIT_RETENTION,
    AUDIT_STREAM_NAME,
    AUDIT_TABLE,
    AUDIT_WORKGROUP,
)
from mobie_hub.audit.record import MARKER, AuditRecord

RECORDS_PREFIX = "audit/"
RESULTS_PREFIX = "query-results/"
FILTER_PATTERN = f'{{ $.audit = "{MARKER}" }}'
_GLUE_TYPES = {str: "string", int: "int", float: "double", bool: "boolean"}


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
        self.bucket = s3.Bucket(
            self,
            "Records",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=False,  # records are written once by Firehose, never changed
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
                s3.LifecycleRule(
                    id="query-results", prefix=RESULTS_PREFIX, expiration=AUDIT_QUERY_RESULTS_EXPIRY
                ),
                s3.LifecycleRule(id="delivery-errors", prefix="errors/", expiration=AUDIT_RETENTION),
            ],
        )
        self.stream = self._delivery_stream()
        self._logs_role = iam.Role(
            self,
            "LogsToFirehose",
            assumed_by=iam.ServicePrincipal(
                "logs.amazonaws.com",
                conditions={
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:*"
                    }
                },
            ),
            description="CloudWatch Logs subscription filters: put audit lines into the audit delivery stream",
        )
        self._logs_role.add_to_policy(
            iam.PolicyStatement(
                actions=["firehose:PutRecord", "firehose:PutRecordBatch"], resources=[self.stream.attr_arn]
            )
        )
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=stack.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(name=AUDIT_DATABASE),
        )
        self.table = self._table(stack)
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=AUDIT_WORKGROUP,
            description="mobie-hub audit queries (mobie-hub audit --stack)",
            recursive_delete_option=not retain,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=AUDIT_MAX_SCAN_BYTES,  # a runaway query costs at most this
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=self.bucket.s3_url_for_object(RESULTS_PREFIX),
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_S3"
                    ),
                ),
            ),
        )
        self._acknowledge()
        CfnOutput(self, "BucketName", value=self.bucket.bucket_name).override_logical_id("AuditBucketName")
        CfnOutput(self, "WorkGroupName", value=AUDIT_WORKGROUP).override_logical_id("AuditWorkGroup")

    # --- what the stack wires ------------------------------------------------------------------------
    def subscribe(self, functions: Iterable[lambda_.Function]) -> list[logs.CfnSubscriptionFilter]:
        """Audit lines of these functions' log groups go to the delivery stream."""
        filters = []
        for function in functions:
            log_group = function.node.scope.node.find_child("Logs")
            subscription = logs.CfnSubscriptionFilter(
                function.node.scope,
                "AuditSubscription",
                log_group_name=log_group.log_group_name,
                filter_pattern=FILTER_PATTERN,
                destination_arn=self.stream.attr_arn,
                role_arn=self._logs_role.role_arn,
            )
            subscription.node.add_dependency(
                self._logs_role
            )  # the role's policy must exist before the filter
            filters.append(subscription)
        return filters

    def grant_query(self, function: lambda_.Function) -> None:
        """Let ``function`` (the admin function) run audit queries: Athena in the audit workgroup, the
        Glue table, the records (read) and the query results (read/write); configure it to."""
        stack = Stack.of(self)
        workgroup_arn = (
            f"arn:{stack.partition}:athena:{stack.region}:{stack.account}:workgroup/{AUDIT_WORKGROUP}"
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
                    f"{glue_arn}:database/{AUDIT_DATABASE}",
                    f"{glue_arn}:table/{AUDIT_DATABASE}/{AUDIT_TABLE}",
                ],
            )
        )
        self.bucket.grant_read(function, f"{RECORDS_PREFIX}*")
        self.bucket.grant_read_write(function, f"{RESULTS_PREFIX}*")
        function.add_environment("MOBIE_AUDIT_ATHENA_WORKGROUP", AUDIT_WORKGROUP)
        function.add_environment("MOBIE_AUDIT_ATHENA_DATABASE", AUDIT_DATABASE)
        function.add_environment("MOBIE_AUDIT_ATHENA_TABLE", AUDIT_TABLE)
        bucket_id = stack.resolve(self.bucket.node.default_child.logical_id)
        Validations.of(function.role).acknowledge(
            *(
                Acknowledgment(
                    id=f"AwsSolutions-IAM5[Action::{action}]",
                    reason="CDK's bucket grant_read/grant_read_write action groups (Get/List/Delete/Abort "
                    "variants), limited to the audit bucket's records (read) and query-results (read/write) prefixes.",
                )
                for action in ("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*")
            ),
            *(
                Acknowledgment(
                    id=f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{prefix}*]",
                    reason="Audit records are one object per Firehose delivery under this prefix (read by "
                    "Athena on the caller's behalf), query results one per query: their keys are not known ahead.",
                )
                for prefix in (RECORDS_PREFIX, RESULTS_PREFIX)
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
        self.bucket.grant_put(role, f"{RECORDS_PREFIX}*")
        self.bucket.grant_put(role, "errors/*")
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

        def processor(kind: str, **parameters: str) -> firehose.CfnDeliveryStream.ProcessorProperty:
            return firehose.CfnDeliveryStream.ProcessorProperty(
                type=kind,
                parameters=[
                    firehose.CfnDeliveryStream.ProcessorParameterProperty(parameter_name=k, parameter_value=v)
                    for k, v in parameters.items()
                ]
                or None,
            )

        stream = firehose.CfnDeliveryStream(
            self,
            "Stream",
            delivery_stream_name=AUDIT_STREAM_NAME,
            delivery_stream_type="DirectPut",  # CloudWatch Logs subscription filters put into it
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
                compression_format="GZIP",
                # CloudWatch Logs hands over gzipped batches of log events: Firehose unpacks them and keeps
                # only each event's message (the audit JSON line), one a line.
                processing_configuration=firehose.CfnDeliveryStream.ProcessingConfigurationProperty(
                    enabled=True,
                    processors=[
                        processor("Decompression", CompressionFormat="GZIP"),
                        processor("CloudWatchLogProcessing", DataMessageExtraction="true"),
                        processor("AppendDelimiterToRecord"),
                    ],
                ),
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
            database_name=AUDIT_DATABASE,
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
        Validations.of(self.bucket).acknowledge(
            Acknowledgment(
                id="AwsSolutions-S1",
                reason="Only Firehose writes and only the admin function reads this bucket, both under their own "
                "least-privilege roles with CloudTrail recording the API calls; S3 server access logs would add a "
                "second bucket and an access-log object per delivery for no further audit value.",
            ),
        )
        Validations.of(self).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM5[Action::s3:Abort*]",
                reason="CDK's grant_put includes s3:Abort* so an interrupted multipart upload can be cleaned up; "
                "scoped to this bucket's audit/ and errors/ prefixes.",
            ),
            *(
                Acknowledgment(
                    id=f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{prefix}*]",
                    reason=f"Firehose writes objects under the bucket's {prefix} prefix, named by day and "
                    "delivery (the keys are not known in advance); nothing outside this one bucket and prefix.",
                )
                for prefix in (RECORDS_PREFIX, "errors/")
            ),
        )
