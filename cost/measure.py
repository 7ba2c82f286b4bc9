"""One station's life through the real handlers, under moto, on a clock that moves as the station's
would; measured, it is the profile (``cost.profile``) the model prices.

A station connects (authorizer + $connect), boots and answers the hub's calls (TriggerMessage and
the statuses it asks for, ChangeConfiguration), sends Heartbeats, and charges one session on
connector 1: Preparing, Authorize, StartTransaction, Charging, a MeterValues every ``meter_interval``
seconds for ``session_minutes``, StopTransaction, Finishing, Available. An EMSP sends it a command
(``station.Command``), then API Gateway's 2-hour limit makes it reconnect. ``emsps`` EMSPs are
registered (``cost.world``): the token's owner receives locations, sessions, CDRs and command
results, the others locations (so an EVSE status is pushed to every one of them). Each message is one
Lambda invocation of the template's functions with a real-shaped API Gateway event, followed by
everything AWS would do after it (``Harness.settle``). The scheduled targets run once each. The EMSPs answer every push
with OCPI 1000 (httpx MockTransport: no socket), so a push's cost is the hub's, not a network's.

The life runs twice: first a warm-up with a short session, not in the profile, where each function's
first invocation in the process pays its lazy imports and first-use setup (the excess over its warm
median is ``meta.cold_start_ms``, which the model prices once per cold start); then the measured
life, on warm functions. Each kind of work becomes an entry of the profile: how many were measured
and their mean usage, a function's CPU time its median warm invocation's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cost.facts import StackFacts
from cost.output import captured_output
from cost.profile import Profile, build_profile
from cost.recorder import Recorder, Usage
from cost.station import Command, Station, access_log_bytes, status_frame
from cost.world import configure, create_resources, register_fixtures

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
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


def measure(facts: StackFacts, scenario: Scenario) -> Profile:
    configure(facts)
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
            create_resources(facts)
            register_fixtures(scenario.emsps, recorder)
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
    del harness.events[:events_before]
    return build_profile(
        work, timings, recorder=recorder, facts=facts, events=harness.events, unmodeled=harness.unmodeled,
        measured_with={
            "emsps": scenario.emsps,
            "meter_interval": scenario.meter_interval,
            "session_minutes": scenario.session_minutes,
            "heartbeat_interval": get_settings().ocpp_heartbeat_interval,
            "session_push_interval": getattr(get_settings(), "session_push_interval_seconds", None),
            "platform_log_bytes": scenario.platform_log_bytes,
        },
    )
