"""Events construct: table streams → Pipes (filter + enrichment) → the hub's bus → rules → Express fan-out
(Locations) and owner (sessions, CDRs) state machines → push Lambdas; least privilege throughout."""

from __future__ import annotations

import json

import pytest

from cost.facts import Pipe
from infra.constructs.event_pipes import stream_filters
from infra.constructs.push_workflows import FANOUT_DEFINITION, OWNER_DEFINITION
from mobie_hub.events import location_push
from mobie_hub.events.envelope import DETAIL_TYPE, SOURCE
from mobie_hub.events.fanout import FANOUT_EVENTS, OWNER_EVENTS, ROUTES
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
        filters = source["FilterCriteria"]["Filters"]
        assert [json.loads(f["Pattern"]) for f in filters] == stream_filters()
        stream = source["DynamoDBStreamParameters"]
        assert stream["StartingPosition"] == "LATEST" and stream["BatchSize"] == 1
        assert "DeadLetterConfig" in stream and stream["MaximumRetryAttempts"] >= 1
        assert props["TargetParameters"]["EventBridgeEventBusParameters"] == {
            "Source": SOURCE,
            "DetailType": DETAIL_TYPE,
        }


def test_the_stream_filter_keeps_only_records_a_converter_turns_into_events():
    """By key prefix; a TX item (whose pk its METER facts share) only in the write of a push window's
    first reading (``window_opened``): no Pipe request for the other readings, the facts, the stop."""
    pipe = Pipe("sessions", tuple(stream_filters()), None)

    def record(pk: str, sk: str, **new: dict) -> dict:
        return {"eventName": "MODIFY", "dynamodb": {"Keys": {"pk": {"S": pk}, "sk": {"S": sk}}, "NewImage": {
            "pk": {"S": pk}, "sk": {"S": sk}, **new}}}

    assert pipe.passes(record("LOC#L1", "LOC")) and pipe.passes(record("SESSION#S1", "SESSION"))
    assert pipe.passes(record("TX#7", "TX", window_opened={"N": "1795942800"}, meter_seq={"N": "3"}))
    assert not pipe.passes(record("TX#7", "TX", meter_seq={"N": "4"}))  # a window's later reading, the stop
    assert not pipe.passes(record("TX#7", "METER#2026-11-23T09:05:00.000Z#m1", window_opened={"N": "1"}))
    assert not pipe.passes(record("COUNTER#TRANSACTION", "COUNTER"))
    assert not pipe.passes({"eventName": "REMOVE", "dynamodb": {"Keys": {"pk": {"S": "TX#7"}, "sk": {"S": "TX"}}}})


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


def test_location_events_go_to_the_fanout_and_session_and_cdr_events_to_the_owner_workflow(prod):
    events = prod.stack.events
    # Every pushed event has exactly one rule; the many-recipient ones are the Location events
    assert sorted(FANOUT_EVENTS + OWNER_EVENTS) == sorted(ROUTES)
    assert set(FANOUT_EVENTS) == {"EvseStatusChanged", "LocationPublished", "LocationUpdated"}
    for rule, machine, names, definition, functions in (
        (events.rule, events.fanout, FANOUT_EVENTS, FANOUT_DEFINITION,
         {"RecipientsFunctionArn", "PushFunctionArn", "EphemeralTableName"}),
        (events.owner_rule, events.owner_push, OWNER_EVENTS, OWNER_DEFINITION, {"OwnerPushFunctionArn"}),
    ):
        props = prod.resources[prod.logical_id(rule)]["Properties"]
        assert props["EventBusName"] == {"Ref": prod.logical_id(events.bus)}
        assert props["EventPattern"] == {
            "source": [SOURCE], "detail-type": [DETAIL_TYPE], "detail": {"event_name": list(names)},
        }
        [target] = props["Targets"]
        assert target["Arn"] == {"Ref": prod.logical_id(machine)}
        machine_props = prod.resources[prod.logical_id(machine)]["Properties"]
        assert machine_props["StateMachineType"] == "EXPRESS"
        assert machine_props["TracingConfiguration"] == {"Enabled": True}
        assert json.loads(machine_props["DefinitionString"]) == json.loads(definition.read_text())
        assert set(machine_props["DefinitionSubstitutions"]) == functions


def test_the_push_workflows_log_errors_only_without_execution_data(prod):
    events = prod.stack.events
    for machine in (events.fanout, events.owner_push):
        logging = prod.resources[prod.logical_id(machine)]["Properties"]["LoggingConfiguration"]
        assert logging["Level"] == "ERROR" and logging["IncludeExecutionData"] is False
        [destination] = logging["Destinations"]
        group_id = destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
        assert "RetentionInDays" in prod.resources[group_id]["Properties"]


def test_the_event_bus_is_named_after_the_stack(prod):
    bus = prod.resources[prod.logical_id(prod.stack.events.bus)]["Properties"]
    assert bus["Name"] == f"{prod.stack.stack_name}-events"


def test_the_owner_definition_is_one_push_task_without_recipients_or_map():
    states = json.loads(OWNER_DEFINITION.read_text())["States"]
    assert {state["Type"] for state in states.values()} == {"Task", "Pass"}
    push = states["PushToOwner"]
    assert push["Parameters"]["FunctionName"] == "${OwnerPushFunctionArn}"
    assert push["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "PushCrashed"}]
    assert all(
        "States.ALL" not in r["ErrorEquals"] and "States.TaskFailed" not in r["ErrorEquals"] for r in push["Retry"]
    )


def test_the_push_functions_use_the_push_module_and_only_their_tables(prod):
    events = prod.stack.events
    props = {
        name: prod.resources[prod.logical_id(fn)]["Properties"]
        for name, fn in (("recipients", events.recipients_function), ("push", events.push_function),
                         ("owner", events.owner_push_function), ("resync", events.resync_function))
    }
    assert {name: p["Handler"] for name, p in props.items()} == {
        "recipients": "handler.recipients", "push": "handler.push", "owner": "handler.owner",
        "resync": "handler.resync",
    }

    def tables(name):
        return {k for k in props[name]["Environment"]["Variables"] if k.startswith("MOBIE_TABLE_")}

    # Location pushes: the recipients claim the fan-out (ephemeral) and may read the current Location
    # (a superseded PUT); a batch reads its parties, reports itself done, and pushes a thread a party
    assert tables("recipients") == {"MOBIE_TABLE_PARTIES", "MOBIE_TABLE_LOCATIONS", "MOBIE_TABLE_EPHEMERAL"}
    assert tables("push") == {"MOBIE_TABLE_PARTIES", "MOBIE_TABLE_EPHEMERAL"}
    assert props["push"]["Environment"]["Variables"]["MOBIE_PUSH_THREADS"] == str(location_push.BATCH)
    # The owner's push records a CDR's delivery (issue #17 item 12) and what a party was last pushed
    assert tables("owner") == {"MOBIE_TABLE_PARTIES", "MOBIE_TABLE_CDRS", "MOBIE_TABLE_SESSIONS",
                               "MOBIE_TABLE_EPHEMERAL"}
    assert tables("resync") == {"MOBIE_TABLE_SESSIONS", "MOBIE_TABLE_EPHEMERAL"}


def test_the_fanout_workflow_releases_a_failed_batch_in_the_ephemeral_table_and_nowhere_else(prod):
    events = prod.stack.events
    ephemeral = prod.stack.data.tables["ephemeral"]
    machine = prod.resources[prod.logical_id(events.fanout)]["Properties"]
    assert machine["DefinitionSubstitutions"]["EphemeralTableName"] == {"Ref": prod.logical_id(ephemeral)}
    dynamodb = [s for s in role_statements(prod, machine["RoleArn"]["Fn::GetAtt"][0])
                if any(a.startswith("dynamodb:") for a in actions(s))]
    assert dynamodb == [{"Action": "dynamodb:UpdateItem", "Effect": "Allow",
                         "Resource": {"Fn::GetAtt": [prod.logical_id(ephemeral), "Arn"]}}]


def test_a_schedule_sweeps_due_session_rechecks_every_minute_onto_the_bus(prod):
    events = prod.stack.events
    rule = prod.resources[prod.logical_id(events.resync_rule)]["Properties"]
    assert rule["ScheduleExpression"] == "rate(1 minute)"
    [target] = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [prod.logical_id(events.resync_function), "Arn"]}
    function = prod.resources[prod.logical_id(events.resync_function)]["Properties"]
    assert function["Timeout"] < 60
    assert function["Environment"]["Variables"]["MOBIE_EVENT_BUS_NAME"] == {"Ref": prod.logical_id(events.bus)}


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


def test_the_fanout_definition_pushes_each_batch_once_waits_for_a_fanout_under_way_and_never_fails_the_run():
    states = json.loads(FANOUT_DEFINITION.read_text())["States"]
    claimed = states[states["Recipients"]["Next"]]
    assert claimed["Type"] == "Choice" and claimed["Default"] == "NothingToPush"
    then = {c["StringEquals"]: c["Next"] for c in claimed["Choices"] if c["Variable"] == "$.next"}
    wait = states[then["wait"]]
    assert wait == {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Recipients"}  # planned again
    each = states[then["push"]]
    assert each["Type"] == "Map" and each["ItemsPath"] == "$.batches"
    # party keys and the lease only: no token in the execution's state or history; the lease names
    # its batch (the Map's index), whose report counts once
    assert each["ItemSelector"] == {
        "event.$": "$.event",
        "lease": {"location.$": "$.lease.location", "scope.$": "$.lease.scope", "holder.$": "$.lease.holder",
                  "batch.$": "States.Format('{}', $$.Map.Item.Index)"},
        "parties.$": "$$.Map.Item.Value",
    }
    inner = each["ItemProcessor"]["States"]
    push = inner[each["ItemProcessor"]["StartAt"]]
    # A failed push task: its batch reported by the workflow (DynamoDB, no Lambda), then the outcome
    assert push["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ReleaseBatch"}]
    release = inner["ReleaseBatch"]
    assert release["Resource"] == "arn:aws:states:::dynamodb:updateItem"
    assert release["Parameters"]["TableName"] == "${EphemeralTableName}"
    assert "NOT contains(#reported, :batch)" in release["Parameters"]["ConditionExpression"]
    assert release["ResultPath"] is None and release["Next"] == "PushCrashed"
    assert release["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "PushCrashed"}]
    assert inner["PushCrashed"]["Type"] == "Pass" and inner["PushCrashed"]["End"] is True
    # Only Lambda throttling is retried: a push itself never is (profile §3)
    assert all(
        "States.ALL" not in r["ErrorEquals"] and "States.TaskFailed" not in r["ErrorEquals"]
        for r in push["Retry"]
    )


def test_a_completed_session_creates_its_cdr_with_retries_and_a_dead_letter_queue(prod):
    events = prod.stack.events
    props = prod.resources[prod.logical_id(events.cdr_rule)]["Properties"]
    # The EMSP's SessionCompleted, or one naming no role (from before issue #16): not the CPO's copy
    assert props["EventPattern"] == {
        "source": [SOURCE], "detail-type": [DETAIL_TYPE],
        "detail": {
            "event_name": ["SessionCompleted"],
            "detail": {"$or": [{"owner": {"role": ["EMSP"]}}, {"owner": {"role": [{"exists": False}]}}]},
        },
    }
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
