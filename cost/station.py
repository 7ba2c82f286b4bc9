"""The measured station and EMSP: OCPP frames as API Gateway hands them to the Lambdas, the hub's
calls answered one at a time, an OCPI command through the commands Lambda."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote

from cost.facts import StateMachine

STATION = "LSB-00175"
CONNECTION = "Lq3kVeCfjoECFsQ="
PASSWORD = "cost-model-station-password"
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
                             status_frame(connector, "Available"))

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
        sfn = self.harness.client("stepfunctions")
        earlier = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine_arn)["executions"]}
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
            [execution] = [  # this command's (the life may run more than once: cost.measure)
                e for e in sfn.list_executions(stateMachineArn=machine_arn)["executions"]
                if e["executionArn"] not in earlier
            ]
            described = self.harness.finished(self.machine, execution["executionArn"])
        self.harness.account(self.machine, execution["executionArn"])
        if described["status"] != "SUCCEEDED":
            raise RuntimeError(f"the command lifecycle ended {described['status']}")
        self.harness.settle()


def status_frame(connector: int, status: str) -> dict[str, Any]:
    return {"connectorId": connector, "errorCode": "NoError", "status": status}
