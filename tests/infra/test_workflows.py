"""Workflows construct: the daily renewal schedule → Standard state machine → renewal Lambda, and the
parties stream → HubClientInfo push Lambda; least privilege throughout."""

from __future__ import annotations

import json

import pytest

from infra.constants import RENEWAL_AGE_DAYS, RENEWAL_TASK_TIMEOUT
from infra.constructs.workflows import RENEWAL_DEFINITION
from tests.infra.iam import actions, role_statements

pytestmark = pytest.mark.infra


def _machine(synth) -> tuple[str, dict]:
    logical_id = synth.logical_id(synth.stack.workflows.renewal)
    return logical_id, synth.resources[logical_id]["Properties"]


def test_the_renewal_workflow_is_a_traced_logged_standard_state_machine(prod):
    _, machine = _machine(prod)
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    function_id = prod.logical_id(prod.stack.workflows.renewal_function)
    assert machine["DefinitionSubstitutions"] == {"RenewalFunctionArn": {"Fn::GetAtt": [function_id, "Arn"]}}
    assert json.loads(machine["DefinitionString"]) == json.loads(RENEWAL_DEFINITION.read_text())


def test_the_definition_renews_each_due_party_and_catches_every_failure():
    definition = json.loads(RENEWAL_DEFINITION.read_text())
    states = definition["States"]
    assert definition["StartAt"] == "ListDueParties"
    assert states["ListDueParties"]["Parameters"]["Payload"] == {"action": "list_due"}
    each = states[states["ListDueParties"]["Next"]]
    assert each["Type"] == "Map" and each["ItemsPath"] == "$.parties" and each["MaxConcurrency"] >= 1
    inner = each["ItemProcessor"]["States"]
    renew = inner[each["ItemProcessor"]["StartAt"]]
    assert renew["Parameters"]["Payload"] == {"action": "renew", "party.$": "$.party"}
    assert renew["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RecordFailure"}
    ]
    assert inner["RecordFailure"]["Parameters"]["Payload"]["action"] == "record_failure"
    # A renewal is one PUT exchange: never retried as such (profile §3), only Lambda throttling is.
    assert all(
        "States.ALL" not in r["ErrorEquals"] and "States.TaskFailed" not in r["ErrorEquals"]
        for r in renew.get("Retry", [])
    )
    tasks = [states["ListDueParties"], renew, inner["RecordFailure"]]
    assert all(task["Parameters"]["FunctionName"] == "${RenewalFunctionArn}" for task in tasks)
    # The Lambda's own timeout ends a stuck renewal first, so the Catch sees the Lambda's error.
    assert renew["TimeoutSeconds"] > RENEWAL_TASK_TIMEOUT.to_seconds()


def test_the_state_machine_may_invoke_only_the_renewal_function(prod):
    _, machine = _machine(prod)
    role_id = machine["RoleArn"]["Fn::GetAtt"][0]
    function_id = prod.logical_id(prod.stack.workflows.renewal_function)
    invoke = [s for s in role_statements(prod, role_id) if "lambda:InvokeFunction" in actions(s)]
    assert len(invoke) == 1
    resources = invoke[0]["Resource"]
    assert resources[0] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert resources[1] == {"Fn::Join": ["", [{"Fn::GetAtt": [function_id, "Arn"]}, ":*"]]}


def test_a_daily_schedule_starts_the_workflow_and_nothing_else(prod):
    machine_id, _ = _machine(prod)
    properties = prod.resources[prod.logical_id(prod.stack.workflows.schedule)]["Properties"]
    assert properties["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert properties["ScheduleExpressionTimezone"] == "Europe/Lisbon"
    assert properties["State"] == "ENABLED"
    assert properties["Target"]["Arn"] == {"Ref": machine_id}
    role_id = properties["Target"]["RoleArn"]["Fn::GetAtt"][0]
    statements = role_statements(prod, role_id)
    assert [(actions(s), s["Resource"]) for s in statements] == [
        ({"states:StartExecution"}, {"Ref": machine_id})
    ]


def test_the_renewal_function_reads_and_writes_the_parties_table_only(prod):
    function = prod.resources[prod.logical_id(prod.stack.workflows.renewal_function)]["Properties"]
    variables = function["Environment"]["Variables"]
    assert {k for k in variables if k.startswith("MOBIE_TABLE_")} == {"MOBIE_TABLE_PARTIES"}
    assert variables["MOBIE_CREDENTIALS_RENEWAL_DAYS"] == str(RENEWAL_AGE_DAYS)
    assert variables["MOBIE_PUBLIC_URL"] == "https://ocpi.mobie.example"
    assert variables["MOBIE_CLIENT_INFO_PUSH"] == "stream"
    assert function["Timeout"] == 60
    role_id = function["Role"]["Fn::GetAtt"][0]
    parties_id = prod.logical_id(prod.stack.data.tables["parties"])
    dynamodb = [s for s in role_statements(prod, role_id) if any(a.startswith("dynamodb:") for a in actions(s))]
    referenced = {
        json.dumps(r)
        for s in dynamodb
        for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    }
    assert referenced and all(parties_id in r for r in referenced)


def test_party_items_of_the_parties_stream_drive_the_client_info_push(prod):
    push_id = prod.logical_id(prod.stack.workflows.client_info_push)
    (properties,) = [
        m["Properties"]
        for m in prod.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": push_id}
    ]
    parties_id = prod.logical_id(prod.stack.data.tables["parties"])
    assert properties["EventSourceArn"] == {"Fn::GetAtt": [parties_id, "StreamArn"]}
    assert properties["StartingPosition"] == "LATEST"
    assert properties["MaximumRetryAttempts"] == 1
    (pattern,) = properties["FilterCriteria"]["Filters"]
    assert json.loads(pattern["Pattern"]) == {"dynamodb": {"Keys": {"sk": {"S": ["PARTY"]}}}}


def test_the_push_function_reads_only_the_parties_streams(prod):
    push = prod.resources[prod.logical_id(prod.stack.workflows.client_info_push)]["Properties"]
    parties_id = prod.logical_id(prod.stack.data.tables["parties"])
    stream = [
        s for s in role_statements(prod, push["Role"]["Fn::GetAtt"][0]) if "dynamodb:DescribeStream" in actions(s)
    ]
    assert stream == [
        {
            "Action": [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ],
            "Effect": "Allow",
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [parties_id, "Arn"]}, "/stream/*"]]},
        }
    ]
