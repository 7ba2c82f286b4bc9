"""The OCPP gateway construct: WebSocket API routes and authorizer, stage, watchdog, reserved
concurrency, least-privilege IAM, cdk-nag clean (AwsSolutions checks run on synth and fail it on any
finding). Its CloudFront edge: test_ocpp_edge.py."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App
from aws_cdk.assertions import Match, Template

from infra.config import ConfigError, DeployConfig
from tests.infra.ocpp_templates import (
    only,
    resources,
)

pytestmark = pytest.mark.infra


def role_statements(template: Template, function_prefix: str) -> list[dict]:
    statements = []
    for logical_id, policy in resources(template, "AWS::IAM::Policy").items():
        if logical_id.startswith(f"OcppGateway{function_prefix}Role"):
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def actions_of(statements: list[dict]) -> set[str]:
    found = set()
    for statement in statements:
        action = statement["Action"]
        found.update([action] if isinstance(action, str) else action)
    return found


def test_a_websocket_api_with_the_three_routes(ocpp_template):
    assert only(ocpp_template, "AWS::ApiGatewayV2::Api")["ProtocolType"] == "WEBSOCKET"
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in resources(ocpp_template, "AWS::ApiGatewayV2::Route").values()
    }
    assert set(routes) == {"$connect", "$disconnect", "$default"}
    assert routes["$connect"]["AuthorizationType"] == "CUSTOM"
    assert routes["$default"].get("AuthorizationType", "NONE") == "NONE"
    # $default is two-way: the Lambda's answer frame goes back to the station.
    assert routes["$default"]["RouteResponseSelectionExpression"] == "$default"
    assert only(ocpp_template, "AWS::ApiGatewayV2::RouteResponse")["RouteResponseKey"] == "$default"


def test_the_connect_authorizer_is_keyed_on_the_station_parameter_not_the_authorization_header(ocpp_template):
    authorizer = only(ocpp_template, "AWS::ApiGatewayV2::Authorizer")

    assert authorizer["AuthorizerType"] == "REQUEST"
    assert authorizer["IdentitySource"] == ["route.request.querystring.station"]


def test_the_stage_is_throttled_and_logs_every_event_with_the_station(ocpp_template):
    stage = only(ocpp_template, "AWS::ApiGatewayV2::Stage")

    assert (stage["StageName"], stage["AutoDeploy"]) == ("ocpp", True)
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    log_format = json.loads(
        stage["AccessLogSettings"]["Format"].replace("$context.error.messageString", '""')
    )
    assert log_format["station"] == "$context.authorizer.stationId"
    assert log_format["connectionId"] == "$context.connectionId"


def test_only_connect_and_message_may_manage_connections_and_only_on_this_stage(ocpp_template):
    # connect closes a replaced connection; message posts a boot's answer, then a TriggerMessage
    for function in ("Connect", "Message"):
        (manage,) = [
            s
            for s in role_statements(ocpp_template, function)
            if s["Action"] == "execute-api:ManageConnections"
        ]
        resource = json.dumps(manage["Resource"])
        assert "OcppGatewayApi" in resource and "/ocpp/*/@connections/*" in resource
    for other in ("Authorizer", "Disconnect", "Watchdog"):
        assert "execute-api:ManageConnections" not in actions_of(role_statements(ocpp_template, other))


def test_a_station_going_offline_is_marked_by_disconnect_and_by_a_watchdog_every_minute(ocpp_template):
    # Issue #17 item 4: both write the Location (EVSEs UNKNOWN) and the station's liveness item.
    writes = {"dynamodb:PutItem", "dynamodb:UpdateItem"}
    for function in ("Disconnect", "Watchdog"):
        statements = role_statements(ocpp_template, function)
        for table in ("DataLocations", "DataStations"):
            granted = [s for s in statements if table in json.dumps(s["Resource"])]
            assert writes <= actions_of(granted), (function, table)
    watchdog = only(ocpp_template, "AWS::Lambda::Function", Description=Match.string_like_regexp("watchdog"))
    schedule = only(ocpp_template, "AWS::Scheduler::Schedule")
    assert schedule["ScheduleExpression"] == "rate(1 minute)"
    assert schedule["State"] == "ENABLED"
    assert schedule["Target"]["Arn"] == {"Fn::GetAtt": [watchdog_id(ocpp_template), "Arn"]}
    assert {"MOBIE_TABLE_LOCATIONS", "MOBIE_TABLE_STATIONS"} <= set(watchdog["Environment"]["Variables"])


def watchdog_id(template: Template) -> str:
    found = resources(template, "AWS::Lambda::Function", Description=Match.string_like_regexp("watchdog"))
    return next(iter(found))


def test_table_grants_follow_what_each_function_does(ocpp_template):
    writes = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    authorizer_statements = role_statements(ocpp_template, "Authorizer")
    assert {"dynamodb:GetItem", "dynamodb:BatchGetItem"} <= actions_of(authorizer_statements)
    # the authorizer writes only the stations table (its failed-authentication counters)
    written = [s for s in authorizer_statements if writes & actions_of([s])]
    assert written and all("DataStations" in json.dumps(s["Resource"]) for s in written)

    message_statements = role_statements(ocpp_template, "Message")
    tokens = [s for s in message_statements if "DataTokens" in json.dumps(s["Resource"])]
    assert tokens and not writes & actions_of(tokens)  # the whitelist is read, never written
    assert writes <= actions_of(message_statements)


def test_each_function_knows_its_tables_and_settings(ocpp_template):
    def function(description: str) -> dict:
        return only(ocpp_template, "AWS::Lambda::Function", Description=Match.string_like_regexp(description))

    authorizer, connect, message = function("authorizer"), function(r"\$connect: map"), function(r"\$default")

    assert authorizer["Environment"]["Variables"]["MOBIE_REQUIRE_STATION_AUTH"] == "true"  # closed by default
    assert {"MOBIE_TABLE_LOCATIONS", "MOBIE_TABLE_STATIONS"} <= set(authorizer["Environment"]["Variables"])
    assert "MOBIE_OCPP_MANAGEMENT_URL" in connect["Environment"]["Variables"]
    assert {
        "MOBIE_TABLE_TOKENS",
        "MOBIE_TABLE_SESSIONS",
        "MOBIE_TABLE_LOCATIONS",
        "MOBIE_TABLE_STATIONS",
    } <= set(message["Environment"]["Variables"])


def test_the_stack_wires_the_gateway_whose_functions_only_its_api_may_invoke(prod):
    gateway = prod.stack.ocpp_gateway
    api_id = prod.logical_id(gateway.api)
    functions = {
        prod.logical_id(f)
        for f in (
            gateway.authorizer_function,
            gateway.connect_function,
            gateway.disconnect_function,
            gateway.message_function,
        )
    }
    permissions = [
        p["Properties"]
        for p in prod.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"]["Fn::GetAtt"][0] in functions
    ]

    assert {p["FunctionName"]["Fn::GetAtt"][0] for p in permissions} == functions
    for permission in permissions:
        assert {"Ref": api_id} in permission["SourceArn"]["Fn::Join"][1]
    assert "wss://" in json.dumps(prod.template.to_json()["Outputs"]["OcppStationUrl"])


def test_opening_the_stations_reaches_the_authorizer_and_outputs_a_warning(ocpp_us_east_1_open):
    authorizer = only(
        ocpp_us_east_1_open, "AWS::Lambda::Function", Description=Match.string_like_regexp("authorizer")
    )
    warning = ocpp_us_east_1_open.to_json()["Outputs"]["OcppInsecureOpenStations"]

    assert authorizer["Environment"]["Variables"]["MOBIE_REQUIRE_STATION_AUTH"] == "false"
    assert "WITHOUT AUTHENTICATION" in json.dumps(warning)


@pytest.mark.parametrize(
    ("context", "problem"),
    [
        ({"require_station_auth": "false"}, "insecure_open_stations=true"),
        ({"ocpp_web_acl_arn": "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/y"}, "CLOUDFRONT"),
        ({"insecure_open_stations": "maybe"}, "true or false"),
    ],
)
def test_the_context_cannot_open_the_stations_quietly_nor_attach_a_regional_web_acl(context, problem):
    with pytest.raises(ConfigError, match=problem):
        DeployConfig.from_context(App(context={"dev": "true", **context}).node)


def test_the_context_defaults_are_closed():
    config = DeployConfig.from_context(App(context={"dev": "true", "require_station_auth": "true"}).node)
    opened = DeployConfig.from_context(App(context={"dev": "true", "insecure_open_stations": "true"}).node)

    assert (config.insecure_open_stations, opened.insecure_open_stations) == (False, True)


def test_the_station_path_has_its_own_reserved_concurrency(ocpp_station_domain, ocpp_template):
    reserved = [
        resource["Properties"].get("ReservedConcurrentExecutions")
        for resource in resources(ocpp_station_domain, "AWS::Lambda::Function").values()
    ]
    assert sorted(reserved) == [1, 20, 30, 30, 120]
    assert all(
        "ReservedConcurrentExecutions" not in resource["Properties"]
        for resource in resources(ocpp_template, "AWS::Lambda::Function").values()
    )  # none given: the shared pool


def test_the_websocket_stage_waits_for_the_accounts_logging_role(prod):
    [account] = prod.of_type("AWS::ApiGateway::Account")
    [stage] = prod.of_type("AWS::ApiGatewayV2::Stage").values()
    assert account in stage["DependsOn"]
    gateway = prod.stack.ocpp_gateway
    functions = [
        prod.resources[prod.logical_id(f)]["Properties"] for f in (gateway.message_function, gateway.watchdog_function)
    ]
    assert [f["ReservedConcurrentExecutions"] for f in functions] == [120, 1]  # the production default
