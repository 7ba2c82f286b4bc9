"""Admin construct: the operator's admin function, found by the CLI through the stack output, with
the grants of the operations it serves and nothing reachable from the EMSP-facing API."""

from __future__ import annotations

import pytest

from infra.constructs.admin import READS, WRITES
from mobie_hub.core.tables import TABLES_BY_KEY
from tests.infra.iam import actions, role_statements

pytestmark = pytest.mark.infra


def test_the_admin_function_is_the_stack_output_the_cli_reads(prod):
    function_id = prod.logical_id(prod.stack.admin.function)
    outputs = prod.template.to_json()["Outputs"]
    assert outputs["AdminFunctionName"]["Value"] == {"Ref": function_id}
    props = prod.resources[function_id]["Properties"]
    assert props["Handler"] == "handler.handler" and props["Timeout"] == 120
    variables = props["Environment"]["Variables"]
    assert {k for k in variables if k.startswith("MOBIE_TABLE_")} == {
        TABLES_BY_KEY[key].env_var for key in (*READS, *WRITES)
    }
    assert "MOBIE_OCPP_MANAGEMENT_URL" in variables  # stations call
    assert any(k.startswith("MOBIE_AUDIT_ATHENA") for k in variables)  # audit queries


def test_only_iam_can_invoke_it_no_api_routes_to_it(prod):
    function_id = prod.logical_id(prod.stack.admin.function)
    permissions = [
        p for p in prod.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] in ({"Fn::GetAtt": [function_id, "Arn"]}, {"Ref": function_id})
    ]
    assert permissions == []  # no resource policy: no API Gateway, no other service


def test_its_role_may_send_ocpp_calls_and_query_the_audit_store(prod):
    role_id = prod.stack.resolve(prod.stack.admin.function.role.node.default_child.logical_id)
    actions = {
        action
        for policy in prod.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    }
    assert "execute-api:ManageConnections" in actions
    assert {"athena:StartQueryExecution", "athena:GetQueryResults"} <= actions


def test_its_role_may_write_cdrs_for_mobie_hub_cdrs_credit(prod):
    """``cdrs.credit`` writes the credit CDR and the original's mark in one transaction (issue #17 item 10)."""
    role_id = prod.stack.resolve(prod.stack.admin.function.role.node.default_child.logical_id)
    table_arn = {"Fn::GetAtt": [prod.logical_id(prod.stack.data.tables["cdrs"]), "Arn"]}
    granted = {
        action
        for statement in role_statements(prod, role_id)
        for resources in [statement["Resource"]]
        if table_arn in (resources if isinstance(resources, list) else [resources])
        for action in actions(statement)
    }
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"} <= granted
