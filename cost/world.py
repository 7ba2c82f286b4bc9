"""The world one station's life is measured in, under moto: the deployed functions' settings, the
resources they name (the audit delivery stream, the bus), and the fixtures — the station's Location
and tariff, its password, ``emsps`` registered EMSPs (the token's owner and the others) and the
token — with EMSPs that answer every push with OCPI 1000 (httpx MockTransport: no socket)."""

from __future__ import annotations

import os
from typing import Any

from cost.facts import StackFacts
from cost.recorder import Recorder
from cost.station import PASSWORD, STATION

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
    # A Location push batch calls its parties one after another here, so each call's CPU is on the
    # invocation's clock; the model overlaps their network time by the template's MOBIE_PUSH_THREADS.
    "MOBIE_PUSH_THREADS": "1",
}


def configure(facts: StackFacts) -> None:
    """The process environment the measured functions run with: the deployed functions' settings, the
    measurement's own (credentials, URLs), and the hub's default table names under moto."""
    os.environ.update(facts.environment)  # the deployed functions' settings (the audit stream, …)
    os.environ.update(ENVIRONMENT)
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "INFO")  # what the deployed functions run with
    for name in [n for n in os.environ if n.startswith("MOBIE_TABLE_") or n == "MOBIE_DYNAMODB_ENDPOINT"]:
        del os.environ[name]


def create_resources(facts: StackFacts) -> None:
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


def register_fixtures(emsps: int, recorder: Recorder) -> None:
    import httpx

    from mobie_hub.locations.inventory_repository import DynamoLocationStore
    from mobie_hub.locations.registry import import_locations, import_tariffs
    from mobie_hub.outbound import use_client
    from mobie_hub.outbound.httpx_adapter import HttpxOcpiClient
    from mobie_hub.parties.connection import ConnectionTracker
    from mobie_hub.tariffs.registry_repository import DynamoTariffStore
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
