"""Audit construct: every function's audit records → Firehose → S3 by day (GZIP, encrypted, archived,
versioned under Object Lock) → a Glue table Athena reads with partition projection; names from the
stack; least privilege for the roles in between."""

from __future__ import annotations

import json

import pytest

from infra.constants import AUDIT_TABLE
from infra.constructs.audit import STREAM_ENV, factory_functions
from mobie_hub.audit.record import AuditRecord
from tests.infra.iam import role_statements

pytestmark = pytest.mark.infra


def _one(synth, resource_type: str) -> tuple[str, dict]:
    [(logical_id, resource)] = synth.of_type(resource_type).items()
    return logical_id, resource["Properties"]


def names(synth) -> tuple[str, str, str]:
    stack = synth.stack.stack_name
    return f"{stack}-audit", f"audit_{stack}".lower().replace("-", "_"), f"{stack}-audit"


def test_every_function_may_put_its_records_into_the_stream_and_nothing_else_of_it(prod):
    stream_id, _ = _one(prod, "AWS::KinesisFirehose::DeliveryStream")
    functions = factory_functions(prod.stack)
    # Given every function the FunctionFactory made (OCPI modules, OCPP gateway, workflows, events …)
    assert len(functions) >= 15
    stream, _, _ = names(prod)
    for function in functions:
        properties = prod.resources[prod.logical_id(function)]["Properties"]
        # Then each is told the stream's name and may PutRecordBatch into it
        assert properties["Environment"]["Variables"][STREAM_ENV] == stream
        puts = [s for s in role_statements(prod, prod.logical_id(function.role)) if "firehose" in json.dumps(s["Action"])]
        assert puts == [{"Action": "firehose:PutRecordBatch", "Effect": "Allow",
                         "Resource": {"Fn::GetAtt": [stream_id, "Arn"]}}]
    # And no log group is subscribed any more: records do not pass through CloudWatch Logs
    assert prod.of_type("AWS::Logs::SubscriptionFilter") == {}


def test_the_stream_takes_json_lines_and_writes_gzip_by_day_encrypted(prod):
    _, stream = _one(prod, "AWS::KinesisFirehose::DeliveryStream")
    bucket_id = prod.logical_id(prod.stack.audit.bucket)
    assert stream["DeliveryStreamName"] == names(prod)[0] and stream["DeliveryStreamType"] == "DirectPut"
    assert stream["DeliveryStreamEncryptionConfigurationInput"] == {"KeyType": "AWS_OWNED_CMK"}
    s3 = stream["ExtendedS3DestinationConfiguration"]
    assert s3["BucketARN"] == {"Fn::GetAtt": [bucket_id, "Arn"]}
    assert s3["Prefix"] == "audit/day=!{timestamp:yyyy-MM-dd}/" and s3["CompressionFormat"] == "GZIP"
    assert "!{firehose:error-output-type}" in s3["ErrorOutputPrefix"]
    assert "ProcessingConfiguration" not in s3  # the records are "\n"-terminated JSON lines already


def test_the_records_are_versioned_under_object_lock_in_governance_mode_for_their_retention(prod, dev):
    bucket = prod.resources[prod.logical_id(prod.stack.audit.bucket)]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["ObjectLockEnabled"] is True
    assert bucket["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 5 * 365}},
    }
    rules = {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["noncurrent"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    # A throwaway stack (dev) stays deletable: versioned, no lock
    dev_bucket = dev.resources[dev.logical_id(dev.stack.audit.bucket)]["Properties"]
    assert dev_bucket["VersioningConfiguration"] == {"Status": "Enabled"} and "ObjectLockConfiguration" not in dev_bucket


def _bucket(retain: bool, lock_days: int) -> dict:
    """The records bucket an Audit alone in a stack synthesizes."""
    from aws_cdk import App, Stack
    from aws_cdk.assertions import Template

    from infra.constructs.audit import Audit

    stack = Stack(App(), "Hub")
    audit = Audit(stack, "Audit", retain=retain, lock_days=lock_days)
    return Template.from_stack(stack).to_json()["Resources"][stack.resolve(audit.bucket.node.default_child.logical_id)]


def test_the_lock_lasts_the_configured_days():
    # Given audit_lock_days=30 (infra/config.py reads and bounds it: tests/infra/test_config.py)
    bucket = _bucket(retain=True, lock_days=30)

    assert bucket["Properties"]["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 30}},
    }


def test_no_lock_days_keep_object_lock_enabled_on_a_retained_bucket():
    # Object Lock cannot be switched off on a bucket: audit_lock_days=0 on a production stack drops the
    # default retention only, it must not turn ObjectLockEnabled off (CloudFormation would replace the
    # bucket holding years of records by an empty one).
    bucket = _bucket(retain=True, lock_days=0)

    assert bucket["Properties"]["ObjectLockEnabled"] is True
    assert "Rule" not in bucket["Properties"].get("ObjectLockConfiguration", {})
    assert bucket["DeletionPolicy"] == "Retain"


def test_the_bucket_is_private_encrypted_and_archives_then_expires_records(prod):
    bucket = prod.resources[prod.logical_id(prod.stack.audit.bucket)]["Properties"]
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
    results = prod.resources[prod.logical_id(prod.stack.audit.results)]["Properties"]
    assert results["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 7  # outside the lock
    bucket_ref = {"Ref": prod.logical_id(prod.stack.audit.bucket)}
    [policy] = [p for p in prod.of_type("AWS::S3::BucketPolicy").values() if p["Properties"]["Bucket"] == bucket_ref]
    denies = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)


def test_the_glue_table_has_the_record_columns_and_projects_day_partitions(prod):
    _, table = _one(prod, "AWS::Glue::Table")
    _, database = _one(prod, "AWS::Glue::Database")
    database_name = names(prod)[1]
    assert database["DatabaseInput"]["Name"] == database_name and table["DatabaseName"] == database_name
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
    assert workgroup["Name"] == names(prod)[2]
    configuration = workgroup["WorkGroupConfiguration"]
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["BytesScannedCutoffPerQuery"] == 200 * 1024**3
    assert configuration["ResultConfiguration"]["EncryptionConfiguration"] == {"EncryptionOption": "SSE_S3"}
    location = json.dumps(configuration["ResultConfiguration"]["OutputLocation"])
    assert "query-results/" in location and prod.logical_id(prod.stack.audit.results) in location


def test_firehose_only_writes_the_records_prefixes(prod):
    firehose_role = _one(prod, "AWS::KinesisFirehose::DeliveryStream")[1][
        "ExtendedS3DestinationConfiguration"
    ]["RoleARN"]
    statements = role_statements(prod, firehose_role["Fn::GetAtt"][0])
    actions = {
        a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert {a for a in actions if a.startswith("s3:")} == {
        "s3:PutObject", "s3:AbortMultipartUpload",  # the objects, under audit/ and errors/ only
        "s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads",  # the bucket
    }  # no read, delete, legal hold or retention change on the locked records


def test_the_admin_function_has_the_s3_actions_athena_needs_and_no_more(prod):
    admin_role = prod.resources[prod.logical_id(prod.stack.admin.function)]["Properties"]["Role"]
    statements = role_statements(prod, admin_role["Fn::GetAtt"][0])
    s3 = {
        (action, json.dumps(resource))
        for statement in statements
        for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
        if action.startswith("s3:")
        for resource in (statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]])
    }
    records, results = (prod.logical_id(b) for b in (prod.stack.audit.bucket, prod.stack.audit.results))
    on_objects = {action for action, resource in s3 if "/*" in resource}
    assert on_objects == {"s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"}
    assert {action for action, resource in s3 if records in resource and "/audit/*" in resource} == {"s3:GetObject"}
    assert all(results in resource for action, resource in s3 if action == "s3:PutObject")
    assert not any(action.startswith(("s3:Delete", "s3:PutObjectRetention", "s3:PutObjectLegalHold", "s3:Bypass"))
                   for action, _ in s3)


def test_the_outputs_name_the_bucket_and_workgroup(prod):
    outputs = prod.template.to_json()["Outputs"]
    assert outputs["AuditWorkGroup"]["Value"] == names(prod)[2] and "AuditBucketName" in outputs
