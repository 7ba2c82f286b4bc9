"""What the model reads from a synthesized template: functions, Pipes, rules, state machines, schedules."""

from __future__ import annotations

import json

from cost.stack import facts_from


def function(service: str, handler: str = "handler.handler", memory: int = 512) -> dict:
    return {"Type": "AWS::Lambda::Function", "Properties": {
        "Handler": handler, "MemorySize": memory, "Architectures": ["arm64"], "TracingConfig": {"Mode": "Active"},
        "Environment": {"Variables": {"POWERTOOLS_SERVICE_NAME": f"mobie-hub-{service}"}},
    }}


TEMPLATE = {"Resources": {
    "MessageFn": function("ocpp-message", memory=1024),
    "RecipientsFn": function("push-recipients", "handler.recipients"),
    "DataSessionsF705E00F": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
    "Pipe": {"Type": "AWS::Pipes::Pipe", "Properties": {
        "Source": {"Fn::GetAtt": ["DataSessionsF705E00F", "StreamArn"]},
        "Enrichment": {"Fn::GetAtt": ["MessageFn", "Arn"]},
        "SourceParameters": {"FilterCriteria": {"Filters": [
            {"Pattern": json.dumps({"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "SESSION#"}]}}}})},
        ]}},
    }},
    "Fanout": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "StateMachineType": "EXPRESS",
        "LoggingConfiguration": {"Destinations": [{}], "Level": "ERROR", "IncludeExecutionData": False},
        "DefinitionString": '{"StartAt": "R", "States": {"R": {"Type": "Task", "Resource": "${Fn}", "End": true}}}',
        "DefinitionSubstitutions": {"Fn": {"Fn::GetAtt": ["RecipientsFn", "Arn"]}},
    }},
    "Rule": {"Type": "AWS::Events::Rule", "Properties": {
        "EventPattern": {"source": ["mobie-hub"], "detail": {"event_name": ["SessionUpdated"],
                                                             "coalescible": [{"anything-but": True}]}},
        "Targets": [{"Arn": {"Ref": "Fanout"}}, {"Arn": {"Fn::GetAtt": ["Queue", "Arn"]}}],
    }},
    "Every5": {"Type": "AWS::Events::Rule", "Properties": {
        "ScheduleExpression": "rate(5 minutes)", "Targets": [{"Arn": {"Fn::GetAtt": ["MessageFn", "Arn"]}}],
    }},
}}


def test_the_template_gives_the_functions_pipes_machines_rules_and_schedules():
    facts = facts_from(TEMPLATE)

    assert facts.functions["ocpp-message"].memory_mb == 1024 and facts.functions["ocpp-message"].source == "ocpp_message"
    assert facts.functions["push-recipients"].source == "push" and facts.functions["push-recipients"].handler == "recipients"
    [pipe] = facts.pipes
    assert (pipe.table, pipe.enrichment) == ("sessions", "ocpp-message")
    assert pipe.patterns == ({"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "SESSION#"}]}}}},)
    keys = {"pk": {"S": "SESSION#S1"}, "sk": {"S": "SESSION"}}
    assert pipe.passes({"dynamodb": {"Keys": keys}})
    assert not pipe.passes({"dynamodb": {"Keys": {**keys, "pk": {"S": "TX#1"}}}})
    machine = facts.state_machines["Fanout"]
    assert machine.express and machine.log_level == "ERROR" and machine.substitutions == {"Fn": "push-recipients"}
    [rule] = facts.rules
    assert rule.targets[0] == ("state_machine", "Fanout") and rule.targets[1][0] == "unmodeled"
    [schedule] = facts.schedules
    assert schedule.target == ("function", "ocpp-message") and schedule.per_month == 30.4 * 1440 / 5


def test_a_rule_matches_as_eventbridge_does():
    [rule] = facts_from(TEMPLATE).rules
    event = {"source": "mobie-hub", "detail": {"event_name": "SessionUpdated", "coalescible": False}}

    assert rule.matches(event)
    assert not rule.matches({**event, "detail": {"event_name": "SessionUpdated"}})  # a filter needs its field
    assert not rule.matches({**event, "detail": {"event_name": "SessionUpdated", "coalescible": True}})
    assert not rule.matches({**event, "detail": {"event_name": "SessionStarted"}})
    assert not rule.matches({**event, "source": "elsewhere"})


def test_an_or_pattern_matches_when_any_of_its_alternatives_does():
    from cost.facts import Rule
    from mobie_hub.events.rules import CDR_CREATION_PATTERN

    rule = Rule(CDR_CREATION_PATTERN, (("function", "cdr-creation"),))
    def completed(**detail):
        return {"source": "mobie-hub", "detail-type": "DomainEvent",
                "detail": {"event_name": "SessionCompleted", "detail": {"session_id": "s1", **detail}}}

    event, emsp, cpo = completed(), completed(owner={"role": "EMSP"}), completed(owner={"role": "CPO"})

    assert rule.matches(emsp) and rule.matches(event)  # the EMSP's, or one naming no role
    assert not rule.matches(cpo)
