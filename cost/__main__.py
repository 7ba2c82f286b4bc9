"""``make cost`` (``python -m cost``): the monthly cost of the hub at a given scale, measured.

Synthesizes the stack (``cost.stack``), runs one station's life through the real handlers under
moto (``cost.measure``), prices it at the scale of the flags (``cost.model``, ``prices.json``) beside
the container alternative (``cost.container``), and prints the tables, or ``--json`` one object.
``--save-profile``/``--profile`` keep and reuse a measurement (the scale flags the measurement does
not depend on can then be changed in seconds); ``--template`` reuses a synthesized template.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields
from pathlib import Path

from cost.container import Containers
from cost.model import Scale, load_prices
from cost.report import build, render

# The intervals the hub hands out or configures on every station (docs/ocpp.md "Message volume"): by
# default the model prices the stations as the hub configures them (a station refusing keeps its own:
# price that with the flag).
HUB_SETTINGS = {"heartbeat_interval": "ocpp_heartbeat_interval", "meter_interval": "ocpp_meter_sample_interval"}
# The flags the measurement itself depends on: a saved profile is reused only if they match.
MEASURED_WITH = ("emsps", "meter_interval", "session_minutes")
HELP = {
    "stations": "charging stations connected", "sessions_per_day": "charging sessions a day",
    "emsps": "EMSPs registered (every one receives the Locations pushes)",
    "heartbeat_interval": "s between a station's Heartbeats (default: the hub's setting)",
    "meter_interval": "s between MeterValues while charging (MeterValueSampleInterval)", "session_minutes": "mean session length",
    "status_changes_per_session": "StatusNotifications that change the EVSE status, per session",
    "authorizations_per_session": "Authorize requests per session",
    "commands_per_session": "OCPI commands (remote start/stop, unlock) per session",
    "boots_per_station_month": "BootNotifications per station a month",
    "reconnects_per_station_day": "WebSocket connections per station a day (API Gateway: 2 h at most each)",
    "days_per_month": "days in a month", "storage_months": "months of storage growth priced",
    "dynamodb_latency_ms": "ms a Lambda waits per DynamoDB call (added to the measured time)",
    "aws_call_latency_ms": "ms a Lambda waits per other AWS call",
    "http_latency_ms": "ms a Lambda waits per OCPI push (the EMSP's answer)",
    "lambda_vcpu_speed": "a Lambda vCPU's speed relative to the core that measured the CPU time",
    "cold_start_rate": "share of Lambda requests that start a new execution environment (each pays the first-use work)",
    "stream_shards": "shards per table stream", "stream_polls_per_second": "a Pipe's polls per shard a second",
    "ocpi_requests_per_day": "more OCPI requests of the EMSPs a day, priced as API Gateway REST requests only",
}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make cost ARGS=...", description=__doc__.split("\n\n")[0])
    for field in fields(Scale):
        kind = type(field.default)
        hub_default = field.name in HUB_SETTINGS
        parser.add_argument(f"--{field.name.replace('_', '-')}", type=kind,
                            default=None if hub_default else field.default,
                            help=f"{HELP.get(field.name, '')} (default: "
                            f"{'the interval the hub sets on stations' if hub_default else field.default})")
    parser.add_argument("--tasks", type=int, default=Containers.tasks, help="containers: Fargate tasks (3)")
    parser.add_argument("--task-vcpu", type=float, default=Containers.vcpu, help="containers: vCPU per task (1)")
    parser.add_argument("--task-memory-gb", type=float, default=Containers.memory_gb, help="containers: GB per task (2)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument("--profile", type=Path, help="use this saved measurement instead of measuring")
    parser.add_argument("--save-profile", type=Path, help="save the measurement here")
    parser.add_argument("--template", type=Path, help="use this synthesized template instead of synthesizing")
    parser.add_argument("--save-template", type=Path, help="save the synthesized template here")
    parser.add_argument("--prices", type=Path, help="another prices file (default: cost/prices.json)")
    return parser.parse_args(argv)


def _measure(arguments: argparse.Namespace, scale_flags: dict) -> dict:
    from cost.measure import Scenario, measure
    from cost.output import captured_output
    from cost.stack import facts_from, synthesize

    if arguments.template:
        template = json.loads(arguments.template.read_text(encoding="utf-8"))
    else:
        print("Synthesizing the stack (about 30 s)…", file=sys.stderr)
        try:
            with captured_output():  # jsii's banners
                template = synthesize()
        except Exception as error:  # noqa: BLE001 - said plainly: the model needs the template
            raise SystemExit(f"make cost: the stack does not synthesize ({error}); fix it or pass --template") from None
        if arguments.save_template:
            arguments.save_template.write_text(json.dumps(template), encoding="utf-8")
    print("Measuring one station's life through the handlers under moto (about a minute)…", file=sys.stderr)
    scenario = Scenario(**{name: scale_flags[name] for name in MEASURED_WITH})
    return measure(facts_from(template), scenario)


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    scale_flags = {f.name: getattr(arguments, f.name) for f in fields(Scale)}
    if scale_flags["meter_interval"] is None:
        from mobie_hub.core.settings import get_settings

        # 0: the hub leaves the station's own interval, which the model cannot know (issue #18's 60 s)
        scale_flags["meter_interval"] = getattr(get_settings(), HUB_SETTINGS["meter_interval"]) or Scale.meter_interval
    if arguments.profile:
        profile = json.loads(arguments.profile.read_text(encoding="utf-8"))
        different = [n for n in MEASURED_WITH if profile["meta"].get(n) != scale_flags[n]]
        if different:
            print(f"the saved profile was measured with other {', '.join(different)}: measure again", file=sys.stderr)
            return 2
    else:
        profile = _measure(arguments, scale_flags)
    if arguments.save_profile:
        arguments.save_profile.write_text(json.dumps(profile, indent=1, sort_keys=True), encoding="utf-8")
    if scale_flags["heartbeat_interval"] is None:
        scale_flags["heartbeat_interval"] = profile["meta"]["heartbeat_interval"]
    scale = Scale(**scale_flags)
    prices = load_prices(arguments.prices) if arguments.prices else load_prices()
    containers = Containers(arguments.tasks, arguments.task_vcpu, arguments.task_memory_gb)
    report = build(profile, scale, prices, containers)
    if arguments.json:
        print(json.dumps(report, indent=1))
    else:
        render(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
