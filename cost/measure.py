"""The measured profile: one station's life through the real handlers, under moto, on a clock that
moves as the station's would.

A station connects (authorizer + $connect), boots and answers the hub's calls (TriggerMessage and
the statuses it asks for, ChangeConfiguration), sends Heartbeats, and charges one session on
connector 1: Preparing, Authorize, StartTransaction, Charging, a MeterValues every ``meter_interval``
seconds for ``session_minutes``, StopTransaction, Finishing, Available. An EMSP sends it a command
(``station.Command``), then API Gateway's 2-hour limit makes it reconnect. ``emsps`` EMSPs are
registered: the token's owner receives locations, sessions, CDRs and command results, the others
locations (so an EVSE status is pushed to every one of them). Each message is one Lambda invocation
of the template's functions with a real-shaped API Gateway event, followed by everything AWS would
do after it (``Harness.settle``). The scheduled targets run once each. The EMSPs answer every push
with OCPI 1000 (httpx MockTransport: no socket), so a push's cost is the hub's, not a network's.

The life runs twice: first a warm-up with a short session, not in the profile, where each function's
first invocation in the process pays its lazy imports and first-use setup (the excess over its warm
median is ``meta.cold_start_ms``, which the model prices once per cold start); then the measured
life, on warm functions. Each kind of work becomes an entry of the profile: how many were measured
and their mean usage, a function's CPU time its median warm invocation's.
"""

from __future__ import annotations

import os
import statistics
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cost.output import captured_output
from cost.recorder import Recorder, Usage
from cost.stack import ROOT, StackFacts
from cost.station import PASSWORD, STATION, Command, Station, access_log_bytes, status_frame

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
    # A Location push batch calls its parties one after another here, so each call's CPU is on the
    # invocation's clock; the model overlaps their network time by the template's MOBIE_PUSH_THREADS.
    "MOBIE_PUSH_THREADS": "1",
}
WARM_UP_SAMPLES = 2  # MeterValues of the warm-up life's session (cost.measure.measure)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


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

    from mobie_hub.locations.inventory import DynamoLocationStore
    from mobie_hub.locations.registry import import_locations, import_tariffs
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


def _git_commit() -> str:
    """HEAD, with "+ uncommitted changes" when the measured code (layers, functions, infra) differs from it."""
    def git(*arguments: str) -> str:
        return subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=True).stdout

    try:
        commit = git("rev-parse", "--short", "HEAD").strip()
        dirty = git("status", "--porcelain", "--", "layers", "functions", "infra").strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit} + uncommitted changes" if dirty else commit


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

        def unmeasured(name: str, action, *args):
            return action(*args)

        def life(measured, samples: int) -> None:
            """The station's life: connect, boot, Heartbeats, a session of ``samples`` MeterValues, a
            command, a reconnection, then the schedules."""
            measured("connect", station.connect)
            measured("BootNotification", station.call, "BootNotification",
                     {"chargePointVendor": "ABB", "chargePointModel": "Terra AC"})
            station.answer_calls(measured)  # TriggerMessage (then the statuses), ChangeConfiguration, …
            for _ in range(scenario.heartbeats):
                clock.shift(get_settings().ocpp_heartbeat_interval)
                measured("Heartbeat", station.call, "Heartbeat", {})
            measured("StatusNotification (changed)", station.call, "StatusNotification", status_frame(1, "Preparing"))
            authorized = measured("Authorize", station.call, "Authorize", {"idTag": "04A1B2C3D4E5F6"})
            assert authorized["idTagInfo"]["status"] == "Accepted", authorized
            started = measured("StartTransaction", station.call, "StartTransaction", {
                "connectorId": 1, "idTag": "04A1B2C3D4E5F6", "meterStart": 1000, "timestamp": _now(),
            })
            transaction = started["transactionId"]
            measured("StatusNotification (changed)", station.call, "StatusNotification", status_frame(1, "Charging"))
            for n in range(1, samples + 1):
                clock.shift(scenario.meter_interval)
                measured("MeterValues", station.call, "MeterValues", {
                    "connectorId": 1, "transactionId": transaction,
                    "meterValue": [{"timestamp": _now(), "sampledValue": [
                        {"value": str(1000 + 120 * n), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                        {"value": "7200", "measurand": "Power.Active.Import", "unit": "W"},
                    ]}],
                })
            clock.shift(30)
            measured("StopTransaction", station.call, "StopTransaction", {
                "transactionId": transaction, "idTag": "04A1B2C3D4E5F6", "meterStop": 1000 + 120 * samples,
                "timestamp": _now(), "reason": "Local",
            })
            measured("StatusNotification (changed)", station.call, "StatusNotification", status_frame(1, "Finishing"))
            measured("StatusNotification (changed)", station.call, "StatusNotification", status_frame(1, "Available"))
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

        with recorder.hooked(dynamodb_resource().meta.client, boto3._get_default_session().events):
            # A warm-up life first (a short session), not in the profile: each function's first
            # invocation in a process pays lazy imports and first-use setup that a warm Lambda does not
            # pay again; it is kept apart as the function's cold-start work (``cold_start_ms``).
            life(unmeasured, samples=WARM_UP_SAMPLES)
            events_before = len(harness.events)
            station.disconnect()
            life(measured, samples=scenario.session_minutes * 60 // scenario.meter_interval)
    first = {function: times[0] for function, times in recorder.timings.items()}
    warm = {function: times[1:] for function, times in recorder.timings.items()}
    overall = {function: statistics.median(times or [first[function]]) for function, times in warm.items()}
    # A function whose warm-up ran it once and the measured life never: its first invocation is all
    # the model has, priced as warm (an over-count, named in the profile).
    unwarmed = sorted(function for function, times in warm.items() if not times)
    cold_start_ms = {function: max(0.0, first[function] - overall[function]) for function in first}
    del harness.events[:events_before]

    def typical(name: str) -> dict[str, float]:
        """A function's median warm CPU time in this work (over all the work when measured fewer than 3 times)."""
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
            "cold_start_ms": cold_start_ms,
            "unwarmed": unwarmed,
            "unmodeled_targets": sorted(harness.unmodeled),
            "schedules": {
                f"schedule: {schedule.target[1]}": schedule.per_month for schedule in facts.schedules
            },
            "functions": {
                service: {"memory_mb": f.memory_mb, "arm64": f.arm64, "tracing": f.tracing, "log_class": f.log_class,
                          "platform_logs": f.platform_logs, "parallel_calls": f.parallel_calls}
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
    """The mean usage; a function's milliseconds are its median warm invocation's CPU time (its first
    invocation pays imports and client creation: that is ``cold_start_ms``, priced per cold start)."""
    total: Counter = Counter()
    for usage in usages:
        total.update(usage)
    mean = {key: value / len(usages) for key, value in sorted(total.items())}
    for key in [k for k in mean if k.startswith("lambda.ms|")]:
        function = key.split("|", 1)[1]
        mean[key] = mean[f"lambda.requests|{function}"] * typical_ms[function]
    return mean
