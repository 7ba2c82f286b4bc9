"""The sandbox's sub-commands: ``mobie-hub simulate emsp`` and ``mobie-hub demo`` (docs/sandbox.md)."""

from __future__ import annotations

import argparse
import asyncio


def _emsp(args: argparse.Namespace) -> int:
    from mobie_hub.simulator.emsp import EmspOptions
    from mobie_hub.simulator.emsp_console import ConsoleOptions, run

    emsp = EmspOptions(args.party_id, country_code=args.country_code, hub=args.hub, port=args.port)
    return asyncio.run(run(ConsoleOptions(emsp, as_json=args.json, push_tokens=not args.no_tokens)))


def add_emsp_simulator(simulate: argparse._SubParsersAction) -> None:
    emsp = simulate.add_parser(
        "emsp",
        help="an OCPI EMSP on a loopback port: registers, pushes tokens, prints the hub's pushes, sends "
        "commands typed on its input (start, stop, unlock; docs/sandbox.md)",
    )
    emsp.add_argument("--party-id", required=True, help="its OCPI party id, e.g. SIM")
    emsp.add_argument("--country-code", default="PT", help="default %(default)s")
    emsp.add_argument("--hub", default="http://127.0.0.1:8080", help="the local hub (default %(default)s)")
    emsp.add_argument("--port", type=int, default=0, help="its loopback port (default: a free one)")
    emsp.add_argument("--no-tokens", action="store_true", help="do not push the RFID and app tokens")
    emsp.add_argument("--json", action="store_true", help="one JSON object per event")
    emsp.set_defaults(run=_emsp)


def _demo(args: argparse.Namespace) -> int:
    from mobie_hub.simulator.demo import DemoOptions, run_demo

    options = DemoOptions(
        hub=args.hub,
        party_id=args.party_id,
        station_id=args.station,
        step_timeout=args.step_timeout,
        charge_seconds=args.charge_seconds,
        as_json=args.json,
    )
    return asyncio.run(run_demo(options))


def add_demo_command(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser(
        "demo",
        help="one whole charge against the running local hub, step by step (exit 1 names the step that "
        "did not happen); needs `make run` (serve --allow-loopback-parties)",
    )
    demo.add_argument("--hub", default="http://127.0.0.1:8080", help="the local hub (default %(default)s)")
    demo.add_argument("--party-id", default="SIM", help="the simulated EMSP's party id (default %(default)s)")
    demo.add_argument(
        "--station", default="LSB-01033", help="the demo station to charge at (default %(default)s)"
    )
    demo.add_argument(
        "--step-timeout", type=float, default=30, help="seconds each step may take (default 30)"
    )
    demo.add_argument("--charge-seconds", type=float, default=4, help="charging time once meter values flow")
    demo.add_argument("--json", action="store_true", help="one JSON object per event")
    demo.set_defaults(run=_demo)
