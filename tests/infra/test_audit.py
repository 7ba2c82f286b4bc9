"""Audit construct: every function's audit lines → Firehose → S3 by day (GZIP, encrypted, archived)
→ a Glue table Athena reads with partition projection; least privilege for the roles in between."""

from __future__ import annotations

import json

import pytest

from infra.constants import AUDIT_DATABASE, AUDIT_STREAM_NAME, AUDIT_TABLE, AUDIT_WORKGROUP
from infra.constructs.audit import FILTER_PATTERN, factory_functions
from mobie_hub.audit.record import MARKER, AuditRecord
from tests.infra.iam import role_statements

pytestmark = pytest.mark.infra


def _one(synth, resource_type: str) -> tuple[str, dict]:
    [(logical_id, resource)] = synth.of_type(resource_type).items()
    return logical_id, resource["Properties"]


def test_every_function_log_group_is_subscribed_once_to_the_audit_stream(prod):
    stream_id, _ = _one(prod, "AWS::KinesisFirehose::DeliveryStream")
    filters = list(prod.of_type("AWS::Logs::SubscriptionFilter").values())
    functions = factory_functions(prod.stack)
    # Given every function the FunctionFactory made (OCPI modules, OCPP gateway, workflows, events …)
    assert len(functions) >= 15
    log_groups = {prod.logical_id(f.node.scope.node.find_child("Logs")) for f in functions}
    # Then each log group has exactly one filter, selecting audit lines into the stream
    assert sorted(f["Properties"]["LogGroupName"]["Ref"] for f in filters) == sorted(log_groups)
    assert {f["Properties"]["FilterPattern"] for f in filters} == {FILTER_PATTERN}
    assert MARKER in FILTER_PATTERN
    assert all(f["Properties"]["DestinationArn"] == {"Fn::GetAtt": [stream_id, "Arn"]} for f in filters)


def test_the_stream_unpacks_log_events_and_writes_gzip_by_day_encrypted(prod):
    _, stream = _one(prod, "AWS::KinesisFirehose::DeliveryStream")
    bucket_id, _ = _one(prod, "AWS::S3::Bucket")
    assert stream["DeliveryStreamName"] == AUDIT_STREAM_NAME and stream["DeliveryStreamType"] == "DirectPut"
    assert stream["DeliveryStreamEncryptionConfigurationInput"] == {"KeyType": "AWS_OWNED_CMK"}
    s3 = stream["ExtendedS3DestinationConfiguration"]
    assert s3["BucketARN"] == {"Fn::GetAtt": [bucket_id, "Arn"]}
    assert s3["Prefix"] == "audit/day=!{timestamp:yyyy-MM-dd}/" and s3["CompressionFormat"] == "GZIP"
    assert "!{firehose:error-output-type}" in s3["ErrorOutputPrefix"]
    processors = [p["Type"] for p in s3["ProcessingConfiguration"]["Processors"]]
    assert processors == ["Decompression", "CloudWatchLogProcessing", "AppendDelimiterToRecord"]


def test_the_bucket_is_private_encrypted_and_archives_then_expires_records(prod):
    _, bucket = _one(prod, "AWS::S3::Bucket")
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    rules = {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
    archive = rules["archive-then-expire"]
    assert archive["Prefix"] == "audit/" and archive["ExpirationInDays"] == 5 * 365
    assert archive["Transitions"] == [{"StorageClass": "GLACIER_IR", "TransitionInDays": 90}]
    assert rules["query-results"]["ExpirationInDays"] == 7
    [policy] = prod.of_type("AWS::S3::BucketPolicy").values()
    denies = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)


def test_the_glue_table_has_the_record_columns_and_projects_day_partitions(prod):
    _, table = _one(prod, "AWS::Glue::Table")
    _, database = _one(prod, "AWS::Glue::Database")
    assert database["DatabaseInput"]["Name"] == AUDIT_DATABASE and table["DatabaseName"] == AUDIT_DATABASE
    table_input = table["TableInput"]
    assert table_input["Name"] == AUDIT_TABLE
    columns = {c["Name"]: c["Type"] for c in table_input["StorageDescriptor"]["Columns"]}
    assert set(columns) == set(AuditRecord.model_fields) - {"audit"}
    assert (columns["http_status"], columns["duration_ms"], columns["body_truncated"], columns["at"]) == (
        "int",
        "double",
        "boolean",
        "string",
    )
    assert table_input["PartitionKeys"] == [{"Name": "day", "Type": "string"}]
    parameters = table_input["Parameters"]
    assert parameters["projection.enabled"] == "true" and parameters["projection.day.type"] == "date"
    assert parameters["projection.day.format"] == "yyyy-MM-dd"
    assert "day=${day}/" in json.dumps(parameters["storage.location.template"])
    assert (
        table_input["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"]
        == "org.openx.data.jsonserde.JsonSerDe"
    )


def test_the_table_reads_one_record_a_line_and_a_bad_line_never_fails_a_query(prod):
    # Records are written one a line (AuditRecord.line escapes every line separator, Firehose appends
    # "\n"); the text reader splits at "\n" / "\r" only, and the SerDe reads a malformed line as a row
    # of nulls, which the query's time window leaves out, instead of failing the query.
    _, table = _one(prod, "AWS::Glue::Table")
    storage = table["TableInput"]["StorageDescriptor"]
    assert storage["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert storage["SerdeInfo"]["Parameters"] == {"ignore.malformed.json": "true"}


def test_the_workgroup_enforces_encrypted_results_and_a_scan_limit(prod):
    _, workgroup = _one(prod, "AWS::Athena::WorkGroup")
    assert workgroup["Name"] == AUDIT_WORKGROUP
    configuration = workgroup["WorkGroupConfiguration"]
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["BytesScannedCutoffPerQuery"] == 200 * 1024**3
    assert configuration["ResultConfiguration"]["EncryptionConfiguration"] == {"EncryptionOption": "SSE_S3"}
    assert "query-results/" in json.dumps(configuration["ResultConfiguration"]["OutputLocation"])


def test_logs_may_only_put_into_the_stream_and_firehose_only_write_its_prefixes(prod):
    stream_id, _ = _one(prod, "AWS::KinesisFirehose::DeliveryStream")
    logs_role = prod.logical_id(prod.stack.audit._logs_role)
    trust = prod.resources[logs_role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "logs.amazonaws.com"}]
    assert "aws:SourceArn" in json.dumps(trust)
    [put] = role_statements(prod, logs_role)
    assert put["Action"] == ["firehose:PutRecord", "firehose:PutRecordBatch"]
    assert put["Resource"] == {"Fn::GetAtt": [stream_id, "Arn"]}
    firehose_role = _one(prod, "AWS::KinesisFirehose::DeliveryStream")[1][
        "ExtendedS3DestinationConfiguration"
    ]["RoleARN"]
    statements = role_statements(prod, firehose_role["Fn::GetAtt"][0])
    actions = {
        a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert "s3:GetObject" not in actions and "s3:DeleteObject" not in actions and "s3:PutObject" in actions


def test_the_outputs_name_the_bucket_and_workgroup(prod):
    outputs = prod.template.to_json()["Outputs"]
    assert outputs["AuditWorkGroup"]["Value"] == AUDIT_WORKGROUP and "AuditBucketName" in outputs
