"""Events construct: table streams → Pipes (filter + enrichment) → the hub's bus → rule → Express fan-out
state machine → push Lambdas; least privilege throughout."""

from __future__ import annotations

import json

import pytest

from infra.constants import EVENT_BUS_NAME
from infra.constructs.events import FANOUT_DEFINITION, stream_filter
from mobie_hub.events.envelope import DETAIL_TYPE, SOURCE
from mobie_hub.events.fanout import ROUTES
from mobie_hub.events.stream import SOURCE_TABLES
from tests.infra.iam import actions, role_statements

pytestmark = pytest.mark.infra


def test_one_pipe_per_event_table_filters_known_items_enriches_and_targets_the_bus(prod):
    events = prod.stack.events
    pipes = prod.of_type("AWS::Pipes::Pipe")
    assert len(pipes) == len(SOURCE_TABLES) == len(events.pipes)
    bus_id = prod.logical_id(events.bus)
    converter_id = prod.logical_id(events.converter)
    for key, pipe in events.pipes.items():
        props = pipes[prod.logical_id(pipe)]["Properties"]
        table_id = prod.logical_id(prod.stack.data.tables[key])
        assert props["Source"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
        assert props["Enrichment"] == {"Fn::GetAtt": [converter_id, "Arn"]}
        assert props["Target"] == {"Fn::GetAtt": [bus_id, "Arn"]}
        source = props["SourceParameters"]
        [only] = source["FilterCriteria"]["Filters"]
        assert json.loads(only["Pattern"]) == stream_filter()
        stream = source["DynamoDBStreamParameters"]
        assert stream["StartingPosition"] == "LATEST" and stream["BatchSize"] == 1
        assert "DeadLetterConfig" in stream and stream["MaximumRetryAttempts"] >= 1
        assert props["TargetParameters"]["EventBridgeEventBusParameters"] == {
            "Source": SOURCE,
            "DetailType": DETAIL_TYPE,
        }


def test_the_stream_filter_keeps_only_items_a_converter_knows():
    prefixes = [rule["prefix"] for rule in stream_filter()["dynamodb"]["Keys"]["pk"]["S"]]
    assert "LOC#" in prefixes and not any(p.startswith(("METER#", "TX#")) for p in prefixes)


def test_a_pipe_role_reads_only_its_tables_stream_and_puts_only_on_the_hubs_bus(prod):
    events = prod.stack.events
    for key, pipe in events.pipes.items():
        role_id = pipe.role_arn  # a token: resolve it to the role's logical id
        role_logical_id = prod.stack.resolve(role_id)["Fn::GetAtt"][0]
        statements = role_statements(prod, role_logical_id)
        stream = [s for s in statements if "dynamodb:GetRecords" in actions(s)]
        table_id = prod.logical_id(prod.stack.data.tables[key])
        assert [s["Resource"] for s in stream] == [{"Fn::GetAtt": [table_id, "StreamArn"]}]
        put = [s for s in statements if "events:PutEvents" in actions(s)]
        assert [s["Resource"] for s in put] == [{"Fn::GetAtt": [prod.logical_id(events.bus), "Arn"]}]
        assert not any(s["Resource"] == "*" for s in statements)


def test_the_rule_sends_every_pushed_event_to_the_express_fanout(prod):
    events = prod.stack.events
    props = prod.resources[prod.logical_id(events.rule)]["Properties"]
    assert props["EventBusName"] == {"Ref": prod.logical_id(events.bus)}
    assert props["EventPattern"] == {
        "source": [SOURCE],
        "detail-type": [DETAIL_TYPE],
        "detail": {"event_name": sorted(ROUTES)},
    }
    [target] = props["Targets"]
    assert target["Arn"] == {"Ref": prod.logical_id(events.fanout)}
    machine = prod.resources[prod.logical_id(events.fanout)]["Properties"]
    assert machine["StateMachineType"] == "EXPRESS"
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert machine["LoggingConfiguration"]["IncludeExecutionData"] is True
    assert json.loads(machine["DefinitionString"]) == json.loads(FANOUT_DEFINITION.read_text())
    assert set(machine["DefinitionSubstitutions"]) == {"RecipientsFunctionArn", "PushFunctionArn"}
    bus = prod.resources[prod.logical_id(events.bus)]["Properties"]
    assert bus["Name"] == EVENT_BUS_NAME


def test_the_push_functions_use_the_push_module_and_only_their_tables(prod):
    events = prod.stack.events
    recipients = prod.resources[prod.logical_id(events.recipients_function)]["Properties"]
    push = prod.resources[prod.logical_id(events.push_function)]["Properties"]
    assert recipients["Handler"] == "handler.recipients" and push["Handler"] == "handler.push"

    def tables(props):
        return {k for k in props["Environment"]["Variables"] if k.startswith("MOBIE_TABLE_")}

    assert tables(recipients) == {"MOBIE_TABLE_PARTIES"}
    # A push also records a CDR's delivery (issue #17 item 12)
    assert tables(push) == {"MOBIE_TABLE_PARTIES", "MOBIE_TABLE_CDRS"}


def test_a_schedule_sweeps_due_cdr_deliveries_and_a_sweep_ends_before_the_next_starts(prod):
    events = prod.stack.events
    rule = prod.resources[prod.logical_id(events.cdr_redelivery_rule)]["Properties"]
    assert rule["ScheduleExpression"] == "rate(5 minutes)"
    [target] = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [prod.logical_id(events.cdr_redelivery), "Arn"]}
    function = prod.resources[prod.logical_id(events.cdr_redelivery)]["Properties"]
    assert function["Handler"] == "handler.handler"
    assert function["Timeout"] < 5 * 60
    assert {k for k in function["Environment"]["Variables"] if k.startswith("MOBIE_TABLE_")} == {
        "MOBIE_TABLE_PARTIES", "MOBIE_TABLE_CDRS"
    }


def test_the_fanout_definition_pushes_each_recipient_once_and_never_fails_the_run():
    states = json.loads(FANOUT_DEFINITION.read_text())["States"]
    each = states[states["Recipients"]["Next"]]
    assert each["Type"] == "Map" and each["ItemsPath"] == "$.recipients"
    assert each["ItemSelector"] == {"event.$": "$.event", "party.$": "$$.Map.Item.Value"}
    inner = each["ItemProcessor"]["States"]
    push = inner[each["ItemProcessor"]["StartAt"]]
    assert push["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "PushCrashed"}]
    # Only Lambda throttling is retried: a push itself never is (profile §3)
    assert all(
        "States.ALL" not in r["ErrorEquals"] and "States.TaskFailed" not in r["ErrorEquals"]
        for r in push["Retry"]
    )


def test_a_completed_session_creates_its_cdr_with_retries_and_a_dead_letter_queue(prod):
    events = prod.stack.events
    props = prod.resources[prod.logical_id(events.cdr_rule)]["Properties"]
    assert props["EventPattern"]["detail"] == {"event_name": ["SessionCompleted"]}
    [target] = props["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [prod.logical_id(events.cdr_creation), "Arn"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert target["DeadLetterConfig"] == {
        "Arn": {"Fn::GetAtt": [prod.logical_id(events.dead_letters), "Arn"]}
    }
    variables = prod.resources[prod.logical_id(events.cdr_creation)]["Properties"]["Environment"]["Variables"]
    assert {k for k in variables if k.startswith("MOBIE_TABLE_")} == {
        "MOBIE_TABLE_SESSIONS",
        "MOBIE_TABLE_CDRS",
        "MOBIE_TABLE_LOCATIONS",
        "MOBIE_TABLE_TARIFFS",
    }
