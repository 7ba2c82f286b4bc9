"""The audit trail's delivery stream (infra/constructs/audit.py): Firehose takes the functions'
records (DirectPut) and writes them GZIP'd to the records bucket by day, through a role that may only
put objects under the records' and delivery errors' prefixes."""

from __future__ import annotations

from aws_cdk import Acknowledgment, RemovalPolicy, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constants import AUDIT_BUFFER_MB, AUDIT_BUFFER_SECONDS
from infra.constructs.audit_storage import ERRORS_PREFIX, RECORDS_PREFIX

_WRITTEN_PREFIXES = (RECORDS_PREFIX, ERRORS_PREFIX)


def delivery_stream(scope: Construct, *, name: str, bucket: s3.Bucket) -> firehose.CfnDeliveryStream:
    """The stream ``name``, writing into ``bucket``; its delivery errors are logged for three months."""
    role = iam.Role(
        scope,
        "FirehoseRole",
        assumed_by=iam.ServicePrincipal("firehose.amazonaws.com"),
        description="The audit delivery stream: write records and delivery errors to the audit bucket",
    )
    # What Firehose's S3 destination documents, minus GetObject (it never reads back): CDK's grant_put
    # would add legal hold, retention and tagging actions on the locked records.
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["s3:PutObject", "s3:AbortMultipartUpload"],
            resources=[bucket.arn_for_objects(f"{prefix}*") for prefix in _WRITTEN_PREFIXES],
        )
    )
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
            resources=[bucket.bucket_arn],
        )
    )
    errors = logs.LogGroup(
        scope,
        "DeliveryErrors",
        retention=logs.RetentionDays.THREE_MONTHS,
        removal_policy=RemovalPolicy.DESTROY,
    )
    errors_stream = logs.LogStream(scope, "DeliveryErrorsStream", log_group=errors)
    errors.grant_write(role)

    stream = firehose.CfnDeliveryStream(
        scope,
        "Stream",
        delivery_stream_name=name,
        delivery_stream_type="DirectPut",  # the functions put into it (one record per invocation)
        delivery_stream_encryption_configuration_input=firehose.CfnDeliveryStream.DeliveryStreamEncryptionConfigurationInputProperty(
            key_type="AWS_OWNED_CMK"
        ),
        extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=bucket.bucket_arn,
            role_arn=role.role_arn,
            # Partitioned by day (the arrival time, within seconds of the record's own "at"): a query
            # of one day reads that day only.
            prefix=f"{RECORDS_PREFIX}day=!{{timestamp:yyyy-MM-dd}}/",
            error_output_prefix=f"{ERRORS_PREFIX}!{{firehose:error-output-type}}/day=!{{timestamp:yyyy-MM-dd}}/",
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
    bucket_id = Stack.of(scope).resolve(bucket.node.default_child.logical_id)
    Validations.of(scope).acknowledge(
        *(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{prefix}*]",
                reason=f"Firehose writes objects under the bucket's {prefix} prefix, named by day and "
                "delivery (the keys are not known in advance); nothing outside this one bucket and prefix.",
            )
            for prefix in _WRITTEN_PREFIXES
        ),
    )
    return stream
