"""Function factory: one Lambda per OCPI module, its environment and its grants from the module catalogue."""

from __future__ import annotations

import filecmp

import pytest

from infra.constants import FUNCTIONS_DIR, MEMORY_MB, PYTHON_VERSION
from mobie_hub.core.modules import MODULES, OcpiModule
from mobie_hub.core.tables import ALL_TABLES, TABLES_BY_KEY

pytestmark = pytest.mark.infra

_BY_ID = pytest.mark.parametrize("module", MODULES, ids=lambda module: module.identifier)
_WRITE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
_XRAY = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
_LOGS = {"logs:CreateLogStream", "logs:PutLogEvents"}


def _function(synth, module: OcpiModule) -> dict:
    return synth.resources[synth.logical_id(synth.stack.ocpi_api.functions[module.identifier])]


def _statements(synth, module: OcpiModule) -> list[dict]:
    role_id = _function(synth, module)["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = [
        policy
        for policy in synth.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
    ]
    return [
        statement for policy in policies for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _table_of(resource, table_ids: dict[str, str]) -> str:
    """The table key a policy resource points at: its ARN, or its ARN + '/index/*' (its own GSIs)."""
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return table_ids[resource["Fn::GetAtt"][0]]
    parts = resource["Fn::Join"][1]
    assert parts[1:] == ["/index/*"], f"unexpected DynamoDB resource {resource}"
    return table_ids[parts[0]["Fn::GetAtt"][0]]


@_BY_ID
def test_function_runtime_and_sizing(prod, module: OcpiModule):
    properties = _function(prod, module)["Properties"]
    assert properties["Runtime"] == f"python{PYTHON_VERSION}"
    assert properties["Architectures"] == ["arm64"]
    assert properties["Handler"] == "handler.handler"
    assert properties["MemorySize"] == MEMORY_MB
    assert properties["Timeout"] == (28 if module.calls_out else 10)
    assert properties["TracingConfig"] == {"Mode": "Active"}
    layers = prod.stack.layers
    assert properties["Layers"] == [
        {"Ref": prod.logical_id(layers.dependencies)},
        {"Ref": prod.logical_id(layers.shared)},
    ]


@_BY_ID
def test_function_code_is_its_module_folder(prod, module: OcpiModule):
    # The asset CDK uploads for the function is a copy of functions/<module>/ (handler.py and nothing else)
    asset_hash = _function(prod, module)["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    asset = prod.outdir / f"asset.{asset_hash}"
    assert filecmp.cmp(asset / "handler.py", FUNCTIONS_DIR / module.identifier / "handler.py", shallow=False)
    assert not list(asset.rglob("__pycache__"))


@_BY_ID
def test_function_environment_names_exactly_its_tables(prod, module: OcpiModule):
    variables = _function(prod, module)["Properties"]["Environment"]["Variables"]
    tables = {*module.reads, *module.writes}

    table_vars = {name: value for name, value in variables.items() if name.startswith("MOBIE_TABLE_")}
    assert table_vars == {
        TABLES_BY_KEY[key].env_var: {"Ref": prod.logical_id(prod.stack.data.tables[key])} for key in tables
    }
    assert variables["POWERTOOLS_SERVICE_NAME"] == f"mobie-hub-{module.identifier}"
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "MobieHub"
    assert variables["MOBIE_PUBLIC_URL"] == "https://ocpi.mobie.example"
    assert variables["MOBIE_REQUIRE_CLIENT_CERT"] == "true"
    assert variables["MOBIE_AWS_REGION"] == "eu-west-1"


@_BY_ID
def test_function_may_touch_only_its_tables(prod, module: OcpiModule):
    table_ids = {prod.logical_id(prod.stack.data.tables[spec.key]): spec.key for spec in ALL_TABLES}
    readable, writable = set(), set()
    for statement in _statements(prod, module):
        actions = set(_as_list(statement["Action"]))
        resources = _as_list(statement["Resource"])
        if all(action.startswith("dynamodb:") for action in actions):
            assert "*" not in resources
            keys = {_table_of(resource, table_ids) for resource in resources}
            readable |= keys
            if actions & _WRITE_ACTIONS:
                writable |= keys
        elif module.identifier == "commands" and actions == {"states:StartExecution"}:
            continue  # the command lifecycle it starts (asserted in tests/infra/test_commands.py)
        elif actions == {"firehose:PutRecordBatch"}:
            # its audit records, to this stack's audit stream only (asserted in tests/infra/test_audit.py)
            assert resources == [{"Fn::GetAtt": [prod.logical_id(prod.stack.audit.stream), "Arn"]}]
        else:
            assert actions in (_XRAY, _LOGS), f"{module.identifier}: unexpected grant {statement}"

    assert readable == {*module.reads, *module.writes}
    assert writable == set(module.writes)


@_BY_ID
def test_function_role_has_no_managed_policy_and_logs_only_to_its_group(prod, module: OcpiModule):
    function = _function(prod, module)
    role = prod.resources[function["Properties"]["Role"]["Fn::GetAtt"][0]]
    assert "ManagedPolicyArns" not in role["Properties"]

    log_group_id = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    log_statements = [s for s in _statements(prod, module) if set(_as_list(s["Action"])) == _LOGS]
    assert [s["Resource"] for s in log_statements] == [{"Fn::GetAtt": [log_group_id, "Arn"]}]
    log_group = prod.resources[log_group_id]
    assert log_group["Properties"]["RetentionInDays"] > 0
    assert log_group["DeletionPolicy"] == "Retain"


def test_no_dynamodb_grant_anywhere_on_all_resources(prod):
    # Whatever a later construct adds: no DynamoDB permission on Resource "*"
    for policy in prod.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if any(action.startswith("dynamodb:") for action in _as_list(statement["Action"])):
                assert "*" not in _as_list(statement["Resource"])
