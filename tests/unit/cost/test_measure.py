"""The measurement really runs the handlers: a MeterValues through functions/ocpp_message under moto
writes units, logs bytes and is one invocation."""

from __future__ import annotations

import boto3

from cost.facts import Function, StackFacts
from cost.harness import Harness
from cost.output import split_output
from cost.recorder import Recorder
from cost.station import CONNECTION, STATION, Station, access_log_bytes
from mobie_hub.core.dynamodb import dynamodb_resource
from mobie_hub.core.settings import get_settings
from mobie_hub.locations.repository import put_location
from mobie_hub.tokens import repository as tokens
from mobie_hub.tokens.models import Token
from tests.support.ocpp_data import station_location
from tests.support.tokens import registered_emsp, rfid_token

FACTS = StackFacts(functions={
    "ocpp-message": Function("ocpp-message", "ocpp_message", "handler", memory_mb=512, arm64=True, tracing=True),
})


def test_a_meter_value_through_the_real_handler_costs_write_units_log_bytes_and_one_invocation(aws):
    # Given a station, its EMSP's token and a started transaction
    put_location(station_location())
    registered_emsp()
    tokens.put_token(Token.model_validate(rfid_token()))
    recorder = Recorder(get_settings().tables.names, platform_log_bytes=300, memory_mb=FACTS.memory_mb())
    station = Station(Harness(FACTS, recorder), access_log=250)
    with recorder.hooked(dynamodb_resource().meta.client, boto3._get_default_session().events):
        with recorder.usage():
            started = station.call("StartTransaction", {
                "connectorId": 1, "idTag": "04A1B2C3D4E5F6", "meterStart": 0, "timestamp": "2026-11-23T09:00:00Z",
            })
        # When one MeterValues is measured
        with recorder.usage() as usage:
            station.call("MeterValues", {
                "connectorId": 1, "transactionId": started["transactionId"],
                "meterValue": [{"timestamp": "2026-11-23T09:01:00Z", "sampledValue": [{"value": "120"}]}],
            })
    # Then it was one invocation that wrote units, logged more than Lambda's own lines, and answered
    assert usage["lambda.requests|ocpp-message"] == 1
    assert usage["ddb.wru|sessions"] > 0 and usage["lambda.wru|ocpp-message"] > 0
    assert usage["lambda.ddb_calls|ocpp-message"] >= 1
    assert usage["logs.bytes|ocpp-message"] + usage["logs.audit|ocpp-message"] > 300
    assert usage["ws.messages_in"] == 1 and usage["ws.messages_out"] == 1
    assert usage["logs.access|websocket"] == 250
    assert 0 < usage["lambda.ms|ocpp-message"] < 10_000
    assert STATION and CONNECTION


def test_output_is_split_into_logs_metrics_and_audit_records():
    log = b'{"level":"INFO","message":"x"}\n'
    metric = b'{"_aws":{"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M"}]}]},"M":1}\n'
    record = b'{"audit":"mobie-hub/1","frame":"[2]"}\n'
    plain = b"START RequestId: 1\n"

    assert split_output(log + metric + record + plain) == (len(log) + len(plain), len(metric), len(record))


def test_an_access_log_line_is_the_stage_format_with_typical_values():
    assert access_log_bytes(None) == 0
    assert access_log_bytes('{"id":"$context.requestId","status":"$context.status"}') == len(
        '{"id":"Lq3l0HpWDoEFt0A=","status":"200"}'
    ) + 1
