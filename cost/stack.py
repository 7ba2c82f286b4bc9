"""What the model reads from the synthesized CloudFormation template (``infra.app``, no bundling):
the functions (memory, architecture, tracing, handler), the Pipes (source table, filter, enrichment),
the event bus rules and their targets, the state machines (type, logging, definition), the schedules,
the access log formats, the log groups and the alarms. So the model follows the stack as it is built,
not as someone remembered it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from cost.facts import Function, Pipe, Rule, Schedule, StackFacts, StateMachine
from mobie_hub.core.tables import ALL_TABLES

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
SERVICE_PREFIX = "mobie-hub-"
_OWN_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME", "MOBIE_PUBLIC_URL", "MOBIE_OCPP_MANAGEMENT_URL", "MOBIE_COMMAND_STATE_MACHINE_ARN",
}


def synthesize() -> dict[str, Any]:
    """The stack's template, synthesized in-process without bundling (as the infra tests do), with the
    deployment's values (``MOBIE_DEPLOY_*``, deploy.json: e.g. ``session_push_interval_seconds``)."""
    import os

    from infra.app import build_app
    from infra.config import ConfigError, read_deploy_settings

    context = {
        **json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"],
        "aws:cdk:bundling-stacks": [],
        "account": "123456789012",
    }
    settings = read_deploy_settings(os.environ)
    try:
        app, stack = build_app(context, settings=settings)
    except ConfigError:  # a tree whose stack needs its domain: the infra tests' placeholder one
        from tests.infra.conftest import DOMAIN

        app, stack = build_app({**context, **DOMAIN}, settings=settings)
    return app.synth().get_stack_by_name(stack.stack_name).template


def _sources() -> dict[str, str]:
    """service → functions/<source>, from the function factory's calls in infra/constructs (``source=``,
    ``service=`` keyword constants): the template names a function's service, not its folder."""
    import ast

    sources: dict[str, str] = {}
    for path in (ROOT / "infra" / "constructs").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                keywords = {k.arg: k.value for k in node.keywords if isinstance(k.value, ast.Constant)}
                if "source" in keywords and "service" in keywords:
                    sources[keywords["service"].value] = keywords["source"].value
    return sources


def _source_of(service: str, sources: dict[str, str]) -> str:
    source = sources.get(service, service.replace("-", "_"))
    if not (FUNCTIONS / source / "handler.py").exists():
        raise LookupError(f"no functions/<source>/handler.py for the service {service!r}")
    return source


def _per_month(expression: str) -> float:
    minutes = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}
    if match := re.fullmatch(r"rate\((\d+) (\w+)\)", expression):
        return 30.4 * 1440 / (int(match[1]) * minutes[match[2]])
    if expression.startswith("cron("):
        fields = expression[5:-1].split()
        if fields[2] == "*" and "/" not in fields[0] and "/" not in fields[1] and "," not in fields[1]:
            return 30.4  # daily
    raise ValueError(f"schedule expression not understood: {expression}")


def facts_from(template: dict[str, Any]) -> StackFacts:
    """What the model needs of a synthesized template (see the module docstring)."""
    resources = template["Resources"]
    facts = StackFacts()
    logical_to_service = _functions(resources, facts)
    _environment(resources, facts)
    _resources(resources, logical_to_service, facts)
    _triggers(resources, logical_to_service, facts)
    return facts


def _functions(resources: dict[str, Any], facts: StackFacts) -> dict[str, str]:
    """The hub's functions (not CDK's helpers) into ``facts``; returns logical id → service."""
    logical_to_service: dict[str, str] = {}
    sources = _sources()
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        properties = resource["Properties"]
        service = properties.get("Environment", {}).get("Variables", {}).get("POWERTOOLS_SERVICE_NAME", "")
        if not service.startswith(SERVICE_PREFIX):
            continue  # CDK's own helpers (custom resources)
        service = service.removeprefix(SERVICE_PREFIX)
        logical_to_service[logical_id] = service
        facts.functions[service] = Function(
            service=service,
            source=_source_of(service, sources),
            handler=properties["Handler"].split(".", 1)[1],
            memory_mb=int(properties.get("MemorySize", 128)),
            arm64=properties.get("Architectures") == ["arm64"],
            tracing=properties.get("TracingConfig", {}).get("Mode") == "Active",
            platform_logs=not (
                properties.get("LoggingConfig", {}).get("LogFormat") == "JSON"
                and properties.get("LoggingConfig", {}).get("SystemLogLevel") in ("WARN", "ERROR", "FATAL")
            ),
            log_class=resources.get(
                properties.get("LoggingConfig", {}).get("LogGroup", {}).get("Ref", ""), {}
            ).get("Properties", {}).get("LogGroupClass", "STANDARD"),
            parallel_calls=int(properties.get("Environment", {}).get("Variables", {}).get("MOBIE_PUSH_THREADS", 1)),
        )
    return logical_to_service


def _environment(resources: dict[str, Any], facts: StackFacts) -> None:
    """The functions' settings the measurement runs with, and the resources they name (created under moto)."""

    def name_of(reference: Any) -> str | None:
        """A Ref's physical name where the template gives one (a bus's Name, a stream's name)."""
        if isinstance(reference, str):
            return reference
        target = resources.get(reference.get("Ref", ""), {}) if isinstance(reference, dict) else {}
        properties = target.get("Properties", {})
        return properties.get("Name") or properties.get("DeliveryStreamName") or reference.get("Ref")

    for resource in resources.values():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        for name, value in resource["Properties"].get("Environment", {}).get("Variables", {}).items():
            # the deployment's own names and URLs are the measurement's (tables, endpoints, ARNs)
            if name.startswith("MOBIE_TABLE_") or name in _OWN_ENVIRONMENT:
                continue
            resolved = name_of(value) if isinstance(value, (str, dict)) and "Fn::Join" not in value else None
            if resolved:
                facts.environment[name] = resolved
    facts.delivery_streams = tuple(
        r["Properties"].get("DeliveryStreamName") for r in resources.values()
        if r["Type"] == "AWS::KinesisFirehose::DeliveryStream" and r["Properties"].get("DeliveryStreamName")
    )
    facts.event_buses = tuple(
        r["Properties"]["Name"] for r in resources.values() if r["Type"] == "AWS::Events::EventBus"
    )


def _resources(resources: dict[str, Any], logical_to_service: dict[str, str], facts: StackFacts) -> None:
    """State machines, Pipes, TTLs, log groups, the audit subscription, alarms, dashboards, access logs."""

    def function_of(reference: Any) -> str | None:
        return logical_to_service.get(reference.get("Fn::GetAtt", [None])[0]) if isinstance(reference, dict) else None

    tables = {f"Data{spec.key.title()}": spec.key for spec in ALL_TABLES}
    table_of = {lid: key for lid in resources for prefix, key in tables.items() if lid.startswith(prefix)}
    for logical_id, resource in resources.items():
        kind, properties = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::StepFunctions::StateMachine":
            logging = properties.get("LoggingConfiguration", {})
            facts.state_machines[logical_id] = StateMachine(
                logical_id=logical_id,
                express=properties.get("StateMachineType") == "EXPRESS",
                log_level=logging.get("Level", "OFF") if logging.get("Destinations") else "OFF",
                include_data=bool(logging.get("IncludeExecutionData")),
                definition=_definition(properties["DefinitionString"]),
                substitutions={
                    **{k: function_of(v) for k, v in properties.get("DefinitionSubstitutions", {}).items()},
                    **{lid: service for lid, service in logical_to_service.items()
                       if "${" + lid + "}" in _definition(properties["DefinitionString"])},
                },
            )
        elif kind == "AWS::Pipes::Pipe":
            source = properties["Source"]["Fn::GetAtt"][0]
            filters = properties.get("SourceParameters", {}).get("FilterCriteria", {}).get("Filters", [])
            patterns = tuple(json.loads(entry["Pattern"]) for entry in filters)
            bus = properties.get("TargetParameters", {}).get("EventBridgeEventBusParameters", {})
            facts.pipes.append(Pipe(
                table_of[source], patterns, function_of(properties.get("Enrichment")),
                bus.get("Source", ""), bus.get("DetailType", ""),
            ))
        elif kind == "AWS::DynamoDB::Table" and "TimeToLiveSpecification" in properties:
            facts.ttl_tables += (table_of[logical_id],)
        elif kind == "AWS::Logs::LogGroup":
            facts.log_groups[logical_id] = {
                "retention_days": properties.get("RetentionInDays"),
                "class": properties.get("LogGroupClass", "STANDARD"),
            }
        elif kind == "AWS::Logs::SubscriptionFilter" and "audit" in properties.get("FilterPattern", ""):
            facts.audit_to_firehose = True
        elif kind == "AWS::CloudWatch::Alarm":
            facts.alarms += 1
        elif kind == "AWS::CloudWatch::Dashboard":
            facts.dashboards += 1
        elif kind == "AWS::ApiGatewayV2::Stage":
            settings = properties.get("AccessLogSettings", {})
            facts.websocket_access_log = settings.get("Format")
            destination = settings.get("DestinationArn", {})
            facts.websocket_access_log_group = destination.get("Fn::GetAtt", [None])[0] if isinstance(destination, dict) else None
        elif kind == "AWS::ApiGateway::Stage":
            facts.rest_access_log = properties.get("AccessLogSetting", {}).get("Format")


def _triggers(resources: dict[str, Any], logical_to_service: dict[str, str], facts: StackFacts) -> None:
    """Event rules and schedules (after ``_resources``: a target may be one of its state machines)."""
    for resource in resources.values():
        kind, properties = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::Events::Rule":
            targets = tuple(_target(t["Arn"], logical_to_service, facts) for t in properties.get("Targets", []))
            if "ScheduleExpression" in properties:
                for target, spec in zip(targets, properties["Targets"], strict=True):
                    payload = json.loads(spec["Input"]) if "Input" in spec else {}
                    facts.schedules.append(Schedule(target, _per_month(properties["ScheduleExpression"]), payload))
                continue
            facts.rules.append(Rule(properties.get("EventPattern", {}), targets))
        elif kind == "AWS::Scheduler::Schedule":
            target = properties["Target"]
            payload = json.loads(target["Input"]) if "Input" in target else {}
            facts.schedules.append(
                Schedule(_target(target["Arn"], logical_to_service, facts), _per_month(properties["ScheduleExpression"]), payload)
            )


def _definition(value: Any) -> str:
    """A state machine's definition: a string, or an ``Fn::Join`` whose function ARNs become
    ``${LogicalId}`` substitutions."""
    if isinstance(value, str):
        return value
    separator, parts = value["Fn::Join"]
    return separator.join(
        part if isinstance(part, str) else "${" + part.get("Fn::GetAtt", [part.get("Ref")])[0] + "}" for part in parts
    )


def _target(arn: Any, logical_to_service: dict[str, str], facts: StackFacts) -> tuple[str, str]:
    """("function", service) | ("state_machine", logical id) | ("unmodeled", what it is)."""
    if isinstance(arn, dict) and "Fn::GetAtt" in arn and arn["Fn::GetAtt"][0] in logical_to_service:
        return ("function", logical_to_service[arn["Fn::GetAtt"][0]])
    if isinstance(arn, dict) and "Ref" in arn and arn["Ref"] in facts.state_machines:
        return ("state_machine", arn["Ref"])
    return ("unmodeled", json.dumps(arn))
