"""Commands construct: the command lifecycle Standard state machine (waitForTaskToken with the
promised timeout), its two task functions, and who may start and resume it — least privilege."""

from __future__ import annotations

import json

import pytest

from infra.constants import COMMAND_LIFECYCLE_SUFFIX, STACK_NAME
from infra.constructs.commands import DEFINITION, STATE_MACHINE_ENV

pytestmark = pytest.mark.infra


def _statements(synth, function=None, *, role=None) -> list[dict]:
    role_id = synth.logical_id(role or function.role)
    return [
        statement
        for policy in synth.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict) -> set[str]:
    actions = statement["Action"]
    return set(actions if isinstance(actions, list) else [actions])


def _granted(synth, function, action: str) -> list:
    return [s["Resource"] for s in _statements(synth, function) if action in _actions(s)]


def _environment(synth, function) -> dict:
    return synth.resources[synth.logical_id(function)]["Properties"]["Environment"]["Variables"]


def test_the_lifecycle_is_a_named_traced_logged_standard_state_machine(prod):
    commands = prod.stack.commands
    machine = prod.resources[prod.logical_id(commands.state_machine)]["Properties"]
    assert machine["StateMachineType"] == "STANDARD"  # Express has no .waitForTaskToken
    assert machine["StateMachineName"] == f"{STACK_NAME}-{COMMAND_LIFECYCLE_SUFFIX}"
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert machine["DefinitionSubstitutions"] == {
        "SendFunctionArn": {"Fn::GetAtt": [prod.logical_id(commands.send_function), "Arn"]},
        "DecideFunctionArn": {"Fn::GetAtt": [prod.logical_id(commands.result_function), "Arn"]},
    }
    assert json.loads(machine["DefinitionString"]) == json.loads(DEFINITION.read_text())


def test_the_definition_waits_for_the_task_token_as_long_as_promised_then_decides():
    states = json.loads(DEFINITION.read_text())["States"]
    wait = states["SendAndWait"]
    assert wait["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert wait["Parameters"]["Payload"] == {"command_id.$": "$.command_id", "task_token.$": "$$.Task.Token"}
    assert wait["TimeoutSecondsPath"] == "$.timeout_seconds"  # the CommandResponse's timeout, per command
    assert wait["Next"] == "Decide"
    assert {c["Next"] for c in wait["Catch"]} == {"DecideAfterTimeout"}
    assert ["States.Timeout"] in [c["ErrorEquals"] for c in wait["Catch"]]
    assert states["Decide"]["Parameters"]["Payload"]["timed_out"] is False
    assert states["DecideAfterTimeout"]["Parameters"]["Payload"]["timed_out"] is True


def test_the_machine_may_invoke_only_its_two_tasks(prod):
    commands = prod.stack.commands
    statements = _statements(prod, role=commands.state_machine.role)
    invoked = json.dumps([s["Resource"] for s in statements if "lambda:InvokeFunction" in _actions(s)])
    function_ids = {fid for fid in prod.resources if prod.resources[fid]["Type"] == "AWS::Lambda::Function"}
    assert {fid for fid in function_ids if f'"{fid}"' in invoked} == {
        prod.logical_id(commands.send_function),
        prod.logical_id(commands.result_function),
    }


def test_who_starts_and_who_resumes_the_lifecycle(prod):
    commands, ocpp = prod.stack.commands, prod.stack.ocpp_gateway
    api_function = prod.stack.ocpi_api.functions["commands"]
    arn = prod.stack.resolve(commands.state_machine_arn)
    assert _granted(prod, api_function, "states:StartExecution") == [arn]
    assert _granted(prod, ocpp.message_function, "states:SendTaskSuccess") == [arn]
    assert _granted(prod, commands.send_function, "states:SendTaskSuccess") == [arn]
    assert _granted(prod, commands.result_function, "states:SendTaskSuccess") == []
    for function in (api_function, ocpp.message_function, commands.send_function):
        assert _environment(prod, function)[STATE_MACHINE_ENV] == arn
    # the send task reaches stations like every sender of OCPP calls
    assert _granted(prod, commands.send_function, "execute-api:ManageConnections")
    assert "MOBIE_OCPP_MANAGEMENT_URL" in _environment(prod, commands.send_function)


def test_the_task_functions_touch_only_their_tables(prod):
    commands = prod.stack.commands
    send = _environment(prod, commands.send_function)
    result = _environment(prod, commands.result_function)
    assert {k for k in send if k.startswith("MOBIE_TABLE_")} == {
        "MOBIE_TABLE_COMMANDS",
        "MOBIE_TABLE_STATIONS",
    }
    assert {k for k in result if k.startswith("MOBIE_TABLE_")} == {
        "MOBIE_TABLE_COMMANDS",
        "MOBIE_TABLE_SESSIONS",
        "MOBIE_TABLE_PARTIES",
        "MOBIE_TABLE_LOCATIONS",
    }
    assert "MOBIE_TABLE_COMMANDS" in _environment(prod, prod.stack.ocpp_gateway.message_function)


def test_the_state_machine_arn_is_an_output(prod):
    outputs = prod.template.to_json()["Outputs"]
    assert "CommandLifecycleStateMachineArn" in outputs
