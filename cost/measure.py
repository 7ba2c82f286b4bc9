"""The measured profile: one station's life through the real handlers, under moto, on a clock that
moves as the station's would.

A station connects (authorizer + $connect), boots (the hub's TriggerMessage makes it report each
connector), sends Heartbeats, and charges one session on connector 1: Preparing, Authorize,
StartTransaction, Charging, a MeterValues every ``meter_interval`` seconds for ``session_minutes``,
StopTransaction, Finishing, Available; then it disconnects. ``emsps`` EMSPs are registered: the
token's owner receives locations, sessions and CDRs, the others locations (so an EVSE status is
pushed to every one of them). Each message is one Lambda invocation of ``ocpp_message`` with a
real-shaped API Gateway event, followed by everything AWS would do after it (``Harness.settle``).
The scheduled functions run once each. The EMSPs answer every push with OCPI 1000 (httpx
MockTransport: no socket), so a push's cost is the hub's, not a network's.

Each kind of work becomes an entry of the profile: how many were measured and their mean usage.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from cost.recorder import Recorder, Usage, captured_output
from cost.stack import ROOT, StackFacts

STATION = "LSB-00175"
CONNECTION = "Lq3kVeCfjoECFsQ="
PASSWORD = "cost-model-station-password"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "cost",
    "AWS_SECRET_ACCESS_KEY": "cost",
    "AWS_SESSION_TOKEN": "cost",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "MOBIE_PUBLIC_URL": "https://hub.mobie.example",
    "MOBIE_OCPP_MANAGEMENT_URL": "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/ocpp",
    # The measured EMSP calls without a client certificate (checking one costs no AWS request).
    "MOBIE_REQUIRE_CLIENT_CERT": "false",
}
# A sample value for each $context variable of an access log format (API Gateway's variables).
ACCESS_LOG_SAMPLES = {
    "requestId": "Lq3l0HpWDoEFt0A=", "xrayTraceId": "Root=1-6761f0a2-3f1c2d4e5a6b7c8d9e0f1a2b",
    "requestTime": "23/Nov/2026:09:00:01 +0000", "eventType": "MESSAGE", "routeKey": "$default",
    "connectionId": CONNECTION, "authorizer.stationId": STATION, "identity.sourceIp": "85.243.10.17",
    "status": "200", "integrationLatency": "18", "disconnectStatusCode": "-", "error.messageString": '"-"',
    "httpMethod": "GET", "resourcePath": "/ocpi/2.2.1/sessions", "path": "/ocpi/2.2.1/sessions",
    "protocol": "HTTP/1.1", "responseLength": "2048", "responseLatency": "85",
    "identity.clientCert.serialNumber": "7a1b2c3d4e5f60718293a4b5c6d7e8f9",
    "identity.clientCert.subjectDN": "CN=ocpi.emsp.example,O=EMSP,C=PT",
}


def access_log_bytes(log_format: str | None) -> int:
    """The size of one access log line: the stage's format with typical values (0: no access log)."""
    if not log_format:
        return 0
    line = log_format
    for name in sorted(ACCESS_LOG_SAMPLES, key=len, reverse=True):
        line = line.replace(f"$context.{name}", ACCESS_LOG_SAMPLES[name])
    return len(line) + 1


@dataclass(frozen=True)
class Scenario:
    emsps: int = 30
    meter_interval: int = 60
    session_minutes: int = 35
    heartbeats: int = 3
    platform_log_bytes: int = 300  # Lambda's START/END/REPORT (+ XRAY) lines per invocation


class Profile(dict):
    """{"work": {name: {"count": n, "usage": {key: mean}}}, "meta": {...}} (JSON as is)."""


def _environment(facts: StackFacts) -> None:
    os.environ.update(facts.environment)  # the deployed functions' settings (the audit stream, …)
    os.environ.update(ENVIRONMENT)
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "INFO")  # what the deployed functions run with
    for name in [n for n in os.environ if n.startswith("MOBIE_TABLE_") or n == "MOBIE_DYNAMODB_ENDPOINT"]:
        del os.environ[name]


def _fixtures(emsps: int, recorder: Recorder) -> None:
    import httpx

    from mobie_hub.locations.registry import import_locations, import_tariffs
    from mobie_hub.locations.repository import DynamoLocationStore
    from mobie_hub.outbound import use_client
    from mobie_hub.outbound.httpx_adapter import HttpxOcpiClient
    from mobie_hub.parties.connection import ConnectionTracker
    from mobie_hub.tariffs.repository import DynamoTariffStore
    from mobie_hub.tokens import repository as tokens
    from mobie_hub.tokens.models import Token
    from tests.support.parties import register_receiver
    from tests.support.stations import location, station_password, tariff
    from tests.support.tokens import rfid_token

    import_tariffs([tariff()], DynamoTariffStore())
    import_locations([location(STATION)], DynamoLocationStore(), DynamoTariffStore())
    station_password(STATION, PASSWORD)
    register_receiver("https://emsp-edp.example", "EDP", modules=("locations", "sessions", "cdrs", "commands"))
    for n in range(1, emsps):
        register_receiver(f"https://emsp-{n:02d}.example", f"E{n:02d}", modules=("locations",))
    tokens.put_token(Token.model_validate(rfid_token()))
    answer = {"status_code": 1000, "status_message": "Success", "timestamp": "2026-11-23T09:00:00Z"}
    use_client(
        HttpxOcpiClient(
            transport=httpx.MockTransport(lambda request: _answered(recorder, request, answer)),
            observer=ConnectionTracker(),
        )
    )


def _answered(recorder: Recorder, request: Any, answer: dict[str, Any]) -> Any:
    import httpx

    recorder.add("http.requests")
    recorder.add("http.bytes_out", len(request.content))
    return httpx.Response(200, json=answer)


class Station:
    """Sends OCPP frames as API Gateway would hand them to the Lambdas, and answers the hub's calls."""

    def __init__(self, harness: Any, access_log: int) -> None:
        self.harness = harness
        self.access_log = access_log
        self.count = 0
        self.sent_before = b""
        self.calls: list[list[Any]] = []
        self.token = ""  # the owning EMSP's OCPI credentials token (its commands)

    def _event(self, name: str, **values: str) -> dict[str, Any]:
        from tests.support.events import load_event

        return load_event(f"ocpp/{name}.json", station_id=STATION, connection_id=CONNECTION, **values)

    def _outbox(self) -> list[list[Any]]:
        """Frames the hub sent through the Management API since the last look."""
        from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends

        backend = apigatewaymanagementapi_backends["123456789012"]["eu-west-1"]
        connection = backend.connections.get(CONNECTION) or backend.connections.get(quote(CONNECTION, safe=""))
        data = connection.data if connection else b""
        fresh, self.sent_before = data[len(self.sent_before) :], data
        text = fresh.decode()
        return json.loads("[" + text.replace("][", "],[") + "]") if text else []

    def connect(self) -> None:
        from mobie_hub.ocpp.station_auth import basic_header

        self.calls = []

        authorizer = self._event(
            "authorizer_connect", authorization=basic_header(STATION, PASSWORD), subprotocol="ocpp1.6"
        )
        policy = self.harness.invoke("ocpp-authorizer", authorizer)
        assert policy["policyDocument"]["Statement"][0]["Effect"] == "Allow", policy
        self.harness.invoke("ocpp-connect", self._event("connect"))
        self.harness.recorder.add("logs.access|websocket", self.access_log)
        self.harness.settle()
        self.calls = [sent for sent in self._outbox() if sent[0] == 2]

    def disconnect(self) -> None:
        self.harness.invoke("ocpp-disconnect", self._event("disconnect"))
        self.harness.recorder.add("logs.access|websocket", self.access_log)
        self.harness.settle()

    def reconnect(self) -> None:
        """API Gateway closed the connection (2 hours at most): $disconnect, then the station connects
        again, answers whatever the hub asks of it then, and sends its next Heartbeat (one more a
        reconnection than the Heartbeat interval alone gives: the model does not subtract it)."""
        self.disconnect()
        self.connect()
        self.answer_calls()
        self.call("Heartbeat", {})  # its first message on the new connection (what brings EVSEs back)

    def answer_calls(self, measured: Any = None) -> None:
        """Accept the hub's calls, one at a time as OCPP-J goes, until it asks nothing more (an answer
        may bring the next call); a TriggerMessage is followed by the status of each connector.
        ``measured`` records each as its own piece of work."""
        measured = measured or (lambda name, action, *args: action(*args))
        while self.calls:
            call = self.calls.pop(0)
            measured("CallResult (answer to a hub call)", self.send, [3, call[1], {"status": "Accepted"}])
            if call[2] == "TriggerMessage":
                for connector in (1, 2):
                    measured("StatusNotification (unchanged)", self.call, "StatusNotification",
                             _status(connector, "Available"))

    def send(self, frame: list[Any]) -> list[Any] | None:
        """One frame to ``$default``; the answer (the route's response or through the Management API)."""
        event = self._event("message")
        event["body"] = json.dumps(frame, separators=(",", ":"))
        recorder = self.harness.recorder
        recorder.add("ws.messages_in")
        recorder.add("ws.bytes_in", len(event["body"]))
        recorder.add("logs.access|websocket", self.access_log)
        response = self.harness.invoke("ocpp-message", event)
        answer = None
        if response.get("body"):
            recorder.add("ws.messages_out", max(1, -(-len(response["body"]) // (32 * 1024))))
            recorder.add("ws.bytes_out", len(response["body"]))
            answer = json.loads(response["body"])
        self.harness.settle()
        for sent in self._outbox():
            if sent[0] == 3 and answer is None:
                answer = sent
            elif sent[0] == 2:
                self.calls.append(sent)
        return answer

    def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.count += 1
        answer = self.send([2, f"m{self.count}", action, payload])
        if not answer or answer[0] != 3:
            raise RuntimeError(f"{action} was not accepted: {answer}")
        return answer[2]


class Command:
    """An EMSP's UNLOCK_CONNECTOR through the OCPI commands Lambda (an API Gateway REST event): the
    Lambda starts the command lifecycle (the template's Standard state machine, run by moto with the
    real task handlers), whose send task calls the station; the station's answer resumes it
    (SendTaskSuccess) and the decide task POSTs the CommandResult to the EMSP."""

    def __init__(self, harness: Any, station: Station, access_log: int) -> None:
        from cost.stack import StateMachine

        self.harness, self.station, self.access_log = harness, station, access_log
        machines = [m for m in harness.facts.state_machines.values() if "command_id" in m.definition]
        self.machine: StateMachine | None = machines[0] if machines else None

    def _request(self, token: str) -> dict[str, Any]:
        import base64

        from tests.support.events import load_event

        event = load_event("apigw/ocpi_put_token.json", token_b64=base64.b64encode(token.encode()).decode())
        path = "/ocpi/2.2.1/commands/UNLOCK_CONNECTOR"
        event.update(path=path, httpMethod="POST", pathParameters={"proxy": path.removeprefix("/ocpi/")})
        event["requestContext"].update(path=path, httpMethod="POST")
        event["body"] = json.dumps({
            "response_url": "https://emsp-edp.example/ocpi/emsp/2.2.1/commands/UNLOCK_CONNECTOR/1",
            "location_id": STATION, "evse_uid": f"{STATION}-01", "connector_id": f"{STATION}-01-01",
        })
        return event

    def run(self, token: str) -> None:
        import time

        from mobie_hub.commands.config import command_settings
        from tests.support.lambda_runtime import in_process_lambdas

        if self.machine is None:
            raise RuntimeError("the template has no command lifecycle state machine")
        machine_arn = self.harness.machine_arn(self.machine)
        os.environ["MOBIE_COMMAND_STATE_MACHINE_ARN"] = machine_arn
        command_settings.cache_clear()
        recorder = self.harness.recorder
        with in_process_lambdas(self.harness.tasks(self.machine)):
            recorder.add("apigw.rest_requests")
            recorder.add("logs.access|rest", self.access_log)
            response = self.harness.invoke("commands", self._request(self.station.token))
            assert response["statusCode"] == 200, response
            deadline = time.monotonic() + 30
            while not self.station.calls:
                if time.monotonic() > deadline:
                    raise RuntimeError("the command's OCPP call never reached the station")
                time.sleep(0.05)
                self.station.calls.extend(sent for sent in self.station._outbox() if sent[0] == 2)
            while self.station.calls:
                call = self.station.calls.pop(0)
                self.station.send([3, call[1], {"status": "Unlocked" if call[2] == "UnlockConnector" else "Accepted"}])
            [execution] = self.harness.client("stepfunctions").list_executions(stateMachineArn=machine_arn)[
                "executions"
            ]
            described = self.harness.finished(self.machine, execution["executionArn"])
        self.harness.account(self.machine, execution["executionArn"])
        if described["status"] != "SUCCEEDED":
            raise RuntimeError(f"the command lifecycle ended {described['status']}")
        self.harness.settle()


def _status(connector: int, status: str) -> dict[str, Any]:
    return {"connectorId": connector, "errorCode": "NoError", "status": status}


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _deployed_resources(facts: StackFacts) -> None:
    """Under moto, the resources the functions name in their settings: the audit delivery stream, the bus."""
    import boto3

    if facts.delivery_streams:
        boto3.client("s3").create_bucket(
            Bucket="cost-audit", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
    for name in facts.delivery_streams:
        boto3.client("firehose").create_delivery_stream(
            DeliveryStreamName=name, DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::123456789012:role/cost", "BucketARN": "arn:aws:s3:::cost-audit",
            },
        )
    for name in facts.event_buses:
        boto3.client("events").create_event_bus(Name=name)


def measure(facts: StackFacts, scenario: Scenario) -> Profile:
    _environment(facts)
    import boto3
    import time_machine
    from moto import mock_aws

    from cost.harness import Harness
    from mobie_hub.core.dynamodb import dynamodb_resource, reset_clients
    from mobie_hub.core.schema import ensure_tables
    from mobie_hub.core.settings import get_settings
    from mobie_hub.ocpp import runtime
    from mobie_hub.wiring import aws

    get_settings.cache_clear()
    reset_clients()
    aws.install()
    runtime.use(None)
    work: dict[str, list[Usage]] = {}
    timings: dict[str, dict[str, list[float]]] = {}  # work → function → CPU ms of each invocation
    with (
        time_machine.travel(START, tick=True) as clock,
        mock_aws(config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}),
    ):
        platform = {s: scenario.platform_log_bytes if f.platform_logs else 0 for s, f in facts.functions.items()}
        recorder = Recorder(get_settings().tables.names, platform, facts.memory_mb())
        with captured_output():  # the fixtures' own logs are no part of the measure
            ensure_tables(dynamodb_resource().meta.client)
            _deployed_resources(facts)
            _fixtures(scenario.emsps, recorder)
        harness = Harness(facts, recorder)
        harness.start_streams()
        station = Station(harness, access_log_bytes(facts.websocket_access_log))
        with captured_output():
            from tests.support.parties import issue

            station.token = issue("C", party_id="EDP").token  # the EMSP's credentials token for OCPI

        def measured(name: str, action, *args):
            before = {function: len(times) for function, times in recorder.timings.items()}
            with recorder.usage() as usage:
                result = action(*args)
            work.setdefault(name, []).append(usage)
            for function, times in recorder.timings.items():
                timings.setdefault(name, {}).setdefault(function, []).extend(times[before.get(function, 0) :])
            return result

        with recorder.hooked(dynamodb_resource().meta.client, boto3._get_default_session().events):
            measured("connect", station.connect)
            measured("BootNotification", station.call, "BootNotification",
                     {"chargePointVendor": "ABB", "chargePointModel": "Terra AC"})
            station.answer_calls(measured)  # TriggerMessage (then the statuses), ChangeConfiguration, …
            for _ in range(scenario.heartbeats):
                clock.shift(get_settings().ocpp_heartbeat_interval)
                measured("Heartbeat", station.call, "Heartbeat", {})
            measured("StatusNotification (changed)", station.call, "StatusNotification", _status(1, "Preparing"))
            authorized = measured("Authorize", station.call, "Authorize", {"idTag": "04A1B2C3D4E5F6"})
            assert authorized["idTagInfo"]["status"] == "Accepted", authorized
            started = measured("StartTransaction", station.call, "StartTransaction", {
                "connectorId": 1, "idTag": "04A1B2C3D4E5F6", "meterStart": 1000,
                "timestamp": START.isoformat().replace("+00:00", "Z"),
            })
            transaction = started["transactionId"]
            measured("StatusNotification (changed)", station.call, "StatusNotification", _status(1, "Charging"))
            samples = scenario.session_minutes * 60 // scenario.meter_interval
            for n in range(1, samples + 1):
                clock.shift(scenario.meter_interval)
                stamp = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
                measured("MeterValues", station.call, "MeterValues", {
                    "connectorId": 1, "transactionId": transaction,
                    "meterValue": [{"timestamp": stamp, "sampledValue": [
                        {"value": str(1000 + 120 * n), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                        {"value": "7200", "measurand": "Power.Active.Import", "unit": "W"},
                    ]}],
                })
            clock.shift(30)
            measured("StopTransaction", station.call, "StopTransaction", {
                "transactionId": transaction, "idTag": "04A1B2C3D4E5F6", "meterStop": 1000 + 120 * samples,
                "timestamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                "reason": "Local",
            })
            measured("StatusNotification (changed)", station.call, "StatusNotification", _status(1, "Finishing"))
            measured("StatusNotification (changed)", station.call, "StatusNotification", _status(1, "Available"))
            if facts.rest_access_log is not None or "commands" in facts.functions:
                measured("command (OCPI → OCPP → CommandResult)", Command(
                    harness, station, access_log_bytes(facts.rest_access_log)
                ).run, station.token)
            measured("reconnect (disconnect, connect)", station.reconnect)
            for schedule in facts.schedules:
                kind, target = schedule.target
                name = f"schedule: {target}"
                if kind == "function":
                    measured(name, harness.invoke, target, schedule.payload)
                elif kind == "state_machine":
                    measured(name, harness.execute, facts.state_machines[target], schedule.payload)
                else:
                    harness.unmodeled.add(target)
    overall = {function: statistics.median(times) for function, times in recorder.timings.items()}

    def typical(name: str) -> dict[str, float]:
        """A function's median CPU time in this work (over all the work when measured fewer than 3 times)."""
        return {
            function: statistics.median(times) if len(times) >= 3 else overall[function]
            for function, times in timings.get(name, {}).items()
        }

    profile = Profile(
        work={name: {"count": len(usages), "usage": _mean(usages, typical(name))} for name, usages in work.items()},
        meta={
            "commit": _git_commit(),
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "emsps": scenario.emsps,
            "meter_interval": scenario.meter_interval,
            "session_minutes": scenario.session_minutes,
            "heartbeat_interval": get_settings().ocpp_heartbeat_interval,
            "session_push_interval": getattr(get_settings(), "session_push_interval_seconds", None),
            "platform_log_bytes": scenario.platform_log_bytes,
            "events": dict(Counter(e.get("event_name") for e in harness.events)),
            "custom_metrics": len(recorder.metrics),
            "unmodeled_targets": sorted(harness.unmodeled),
            "schedules": {
                f"schedule: {schedule.target[1]}": schedule.per_month for schedule in facts.schedules
            },
            "functions": {
                service: {"memory_mb": f.memory_mb, "arm64": f.arm64, "tracing": f.tracing, "log_class": f.log_class,
                          "platform_logs": f.platform_logs}
                for service, f in facts.functions.items()
            },
            "state_machines": {
                m.logical_id: {"express": m.express, "log_level": m.log_level, "include_data": m.include_data}
                for m in facts.state_machines.values()
            },
            "pipes": len(facts.pipes),
            "alarms": facts.alarms,
            "dashboards": facts.dashboards,
            "audit_to_firehose": facts.audit_to_firehose,
            "log_retention_days": facts.log_retention_days(),
            "websocket_access_log_bytes": access_log_bytes(facts.websocket_access_log),
        },
    )
    return profile


def _mean(usages: list[Usage], typical_ms: dict[str, float]) -> dict[str, float]:
    """The mean usage; a function's milliseconds are its median invocation's CPU time (a first
    invocation pays imports and client creation: the median is the steady state)."""
    total: Counter = Counter()
    for usage in usages:
        total.update(usage)
    mean = {key: value / len(usages) for key, value in sorted(total.items())}
    for key in [k for k in mean if k.startswith("lambda.ms|")]:
        function = key.split("|", 1)[1]
        mean[key] = mean[f"lambda.requests|{function}"] * typical_ms[function]
    return mean
