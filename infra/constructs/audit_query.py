"""How the audit records are queried (infra/constructs/audit.py): a Glue table over the records bucket
(its columns from ``AuditRecord``, day partitions projected), an Athena workgroup with encrypted
results and a scan limit, and the grants of the one function that runs the queries (admin)."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constants import AUDIT_MAX_SCAN_BYTES, AUDIT_TABLE
from infra.constructs.audit_storage import RECORDS_PREFIX, RESULTS_PREFIX
from mobie_hub.audit.record import AuditRecord

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


def database(scope: Construct, name: str) -> glue.CfnDatabase:
    return glue.CfnDatabase(
        scope,
        "Database",
        catalog_id=Stack.of(scope).account,
        database_input=glue.CfnDatabase.DatabaseInputProperty(name=name),
    )


def table(scope: Construct, database: glue.CfnDatabase, database_name: str, records: s3.Bucket) -> glue.CfnTable:
    """The records as table ``AUDIT_TABLE`` of ``database``: one JSON record a line, a partition a day."""
    location = records.s3_url_for_object(RECORDS_PREFIX)
    result = glue.CfnTable(
        scope,
        "Table",
        catalog_id=Stack.of(scope).account,
        database_name=database_name,
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
    result.node.add_dependency(database)
    return result


def workgroup(scope: Construct, name: str, *, results: s3.Bucket, retain: bool) -> athena.CfnWorkGroup:
    return athena.CfnWorkGroup(
        scope,
        "WorkGroup",
        name=name,
        description="mobie-hub audit queries (mobie-hub audit --stack)",
        recursive_delete_option=not retain,
        work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
            enforce_work_group_configuration=True,
            publish_cloud_watch_metrics_enabled=True,
            bytes_scanned_cutoff_per_query=AUDIT_MAX_SCAN_BYTES,  # a runaway query costs at most this
            result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                output_location=results.s3_url_for_object(RESULTS_PREFIX),
                encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                    encryption_option="SSE_S3"
                ),
            ),
        ),
    )


def grant_query(
    function: lambda_.Function, *, workgroup_name: str, database_name: str, records: s3.Bucket, results: s3.Bucket
) -> None:
    """Let ``function`` run audit queries: Athena in the workgroup, the Glue table, the records (read)
    and the query results (read/write); and tell it their names."""
    stack = Stack.of(function)
    workgroup_arn = f"arn:{stack.partition}:athena:{stack.region}:{stack.account}:workgroup/{workgroup_name}"
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
                f"{glue_arn}:database/{database_name}",
                f"{glue_arn}:table/{database_name}/{AUDIT_TABLE}",
            ],
        )
    )
    # Athena reads the records and writes the results with the caller's permissions: the S3 actions
    # its documentation lists for a data location and a query results location, nothing more
    # (CDK's grant_read/grant_read_write would add Delete*, legal hold and retention actions).
    function.add_to_role_policy(
        iam.PolicyStatement(actions=["s3:GetObject"], resources=[records.arn_for_objects(f"{RECORDS_PREFIX}*")])
    )
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            resources=[results.arn_for_objects(f"{RESULTS_PREFIX}*")],
        )
    )
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
            resources=[records.bucket_arn, results.bucket_arn],
        )
    )
    function.add_environment("MOBIE_AUDIT_ATHENA_WORKGROUP", workgroup_name)
    function.add_environment("MOBIE_AUDIT_ATHENA_DATABASE", database_name)
    function.add_environment("MOBIE_AUDIT_ATHENA_TABLE", AUDIT_TABLE)
    records_id = stack.resolve(records.node.default_child.logical_id)
    results_id = stack.resolve(results.node.default_child.logical_id)
    Validations.of(function.role).acknowledge(
        Acknowledgment(
            id=f"AwsSolutions-IAM5[Resource::<{records_id}.Arn>/{RECORDS_PREFIX}*]",
            reason="Audit records are one object per Firehose delivery under this prefix, read (GetObject "
            "only) by Athena on the caller's behalf: their keys are not known ahead.",
        ),
        Acknowledgment(
            id=f"AwsSolutions-IAM5[Resource::<{results_id}.Arn>/{RESULTS_PREFIX}*]",
            reason="Athena writes one result object per query under this prefix of the results bucket: "
            "their keys are not known ahead.",
        ),
    )
