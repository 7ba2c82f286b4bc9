"""Every physical name derives from the stack name: two stacks synthesize side by side in one account and
region without sharing one (issue #14 item 1)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from aws_cdk import App

from infra.config import DeployConfig
from infra.stack import MobieHubStack

from .conftest import ACCOUNT, DOMAIN, NO_BUNDLING, cdk_json_context

pytestmark = pytest.mark.infra

# Properties that name a resource account- or region-wide (top level of Properties, or as given).
_NAME_PROPERTIES = {
    "Name", "AlarmName", "DashboardName", "StateMachineName", "DeliveryStreamName", "BucketName", "TableName",
    "FunctionName", "TopicName", "QueueName", "LogGroupName", "RoleName", "AliasName", "DomainName",
    "ScheduleGroupName", "WorkGroup", "LayerName", "PolicyName", "ManagedPolicyName", "ApiName",
}
_NESTED_NAMES = {("AWS::Glue::Database", "DatabaseInput"), ("AWS::Glue::Table", "TableInput")}
# Scoped inside another resource of the same stack, so equal values in two stacks do not collide.
_SCOPED = {
    ("AWS::Glue::Table", "TableInput"),
    ("AWS::IAM::Policy", "PolicyName"),
    ("AWS::ApiGatewayV2::Authorizer", "Name"),  # named within its API
}


def physical_names(template: dict) -> Iterator[tuple[str, str, str]]:
    """(resource type, property, value) of every literal physical name in a template."""
    for resource in template["Resources"].values():
        kind, properties = resource["Type"], resource.get("Properties", {})
        for key, value in properties.items():
            if key in _NAME_PROPERTIES and isinstance(value, str) and (kind, key) not in _SCOPED:
                yield kind, key, value
        for nested_kind, key in _NESTED_NAMES - _SCOPED:
            if kind == nested_kind and isinstance(properties.get(key, {}).get("Name"), str):
                yield kind, f"{key}.Name", properties[key]["Name"]


@pytest.fixture(scope="module")
def two_stacks(tmp_path_factory) -> tuple[dict, dict]:
    app = App(context={**cdk_json_context(), **NO_BUNDLING}, outdir=str(tmp_path_factory.mktemp("cdk-two")))
    stacks = []
    for name, host in (("MobieHub", "ocpi.mobie.example"), ("MobieHubStaging", "ocpi.staging.mobie.example")):
        context = {**DOMAIN, "account": ACCOUNT, "stack_name": name, "domain_name": host}
        config = DeployConfig.from_context(App(context=context).node)
        stacks.append(MobieHubStack(app, config.stack_name, config=config))
    assembly = app.synth()
    first, second = (assembly.get_stack_by_name(stack.stack_name).template for stack in stacks)
    return first, second


def test_two_stacks_share_no_physical_name(two_stacks):
    first, second = (set(physical_names(template)) for template in two_stacks)
    assert first, "the template names resources"
    assert first & second == set()


def test_named_resources_carry_their_stack_name(two_stacks):
    first, _ = two_stacks
    names = {(kind, key): value for kind, key, value in physical_names(first)}
    for kind in ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"):
        assert names[(kind, "Name")].startswith("MobieHub-")
    assert names[("AWS::CloudWatch::Dashboard", "DashboardName")].startswith("MobieHub-")
    alarms = [value for kind, key, value in physical_names(first) if kind == "AWS::CloudWatch::Alarm"]
    assert alarms and all(name.startswith("MobieHub-") for name in alarms)


def test_every_name_the_stack_chooses_contains_its_stack_name(two_stacks):
    # A fixed name ("mobie-hub-events") would be the same in every stack of the account. Custom domains
    # are the operator's (configured per stack), not chosen by the stack.
    for template, stack_name in zip(two_stacks, ("mobiehub", "mobiehubstaging"), strict=True):
        chosen = [
            (kind, key, value)
            for kind, key, value in physical_names(template)
            if key != "DomainName" and kind != "AWS::Route53::RecordSet"  # the configured domains
        ]
        assert chosen
        fixed = [name for name in chosen if stack_name not in re.sub(r"[^a-z0-9]", "", name[2].lower())]
        assert fixed == []


def test_each_stack_counts_and_alarms_in_its_own_metrics_namespace(two_stacks):
    # The hub's own metrics (PushFailed, CdrUndelivered, …): a namespace per stack, its name.
    for template, stack_name in zip(two_stacks, ("MobieHub", "MobieHubStaging"), strict=True):
        resources = template["Resources"].values()
        functions = [r["Properties"] for r in resources if r["Type"] == "AWS::Lambda::Function"]
        namespaces = {f.get("Environment", {}).get("Variables", {}).get("POWERTOOLS_METRICS_NAMESPACE") for f in functions}
        assert namespaces - {None} == {stack_name}
        alarms = [r["Properties"] for r in resources if r["Type"] == "AWS::CloudWatch::Alarm"]
        own = {
            metric.get("Namespace")
            for alarm in alarms
            for metric in [alarm, *(q.get("MetricStat", {}).get("Metric", {}) for q in alarm.get("Metrics", []))]
        } - {None}
        assert {n for n in own if not n.startswith("AWS/")} == {stack_name}
        queries = [q["Expression"] for a in alarms for q in a.get("Metrics", []) if "SELECT" in q.get("Expression", "")]
        assert queries and all(f'SCHEMA("{stack_name}",' in query for query in queries)


def test_the_station_edge_metrics_are_named_after_the_stack():
    from infra.constructs.ocpp_edge import station_web_acl_properties

    properties = station_web_acl_properties("MobieHubStaging")
    assert properties["visibility_config"].metric_name == "MobieHubStaging-ocpp-edge"
    assert properties["rules"][0].visibility_config.metric_name == "MobieHubStaging-ocpp-connection-attempts"
