"""The sandbox's sub-commands: ``mobie-hub simulate emsp``, ``mobie-hub simulate cpo`` and
``mobie-hub demo`` (docs/sandbox.md, docs/phase2.md)."""

from __future__ import annotations

import argparse
import asyncio

HUB_HELP = "the local hub (default %(default)s)"


def _emsp(args: argparse.Namespace) -> int:
    from mobie_hub.simulator.emsp_console import ConsoleOptions, run
    from mobie_hub.simulator.party import PartyOptions

    emsp = PartyOptions(args.party_id, country_code=args.country_code, hub=args.hub, port=args.port)
    return asyncio.run(run(ConsoleOptions(emsp, as_json=args.json, push_tokens=not args.no_tokens)))


def _cpo(args: argparse.Namespace) -> int:
    from mobie_hub.simulator.cpo_console import CpoConsoleOptions, run
    from mobie_hub.simulator.party import PartyOptions

    cpo = PartyOptions(args.party_id, country_code=args.country_code, hub=args.hub, port=args.port)
    return asyncio.run(
        run(CpoConsoleOptions(cpo, tariff_id=args.tariff_id, per_kwh=args.price, as_json=args.json))
    )


def _price(text: str) -> float:
    from mobie_hub.simulator.cpo import price
    from mobie_hub.simulator.party import PartyError

    try:
        return price(text)
    except PartyError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _party_arguments(parser: argparse.ArgumentParser, example: str) -> None:
    parser.add_argument("--party-id", required=True, help=f"its OCPI party id, e.g. {example}")
    parser.add_argument("--country-code", default="PT", help="default %(default)s")
    parser.add_argument("--hub", default="http://127.0.0.1:8080", help=HUB_HELP)
    parser.add_argument("--port", type=int, default=0, help="its loopback port (default: a free one)")
    parser.add_argument("--json", action="store_true", help="one JSON object per event")


def add_party_simulators(simulate: argparse._SubParsersAction) -> None:
    emsp = simulate.add_parser(
        "emsp",
        help="an OCPI EMSP on a loopback port: registers, pushes tokens, prints the hub's pushes, sends "
        "commands typed on its input (start, stop, unlock; docs/sandbox.md)",
    )
    _party_arguments(emsp, "SIM")
    emsp.add_argument("--no-tokens", action="store_true", help="do not push the RFID and app tokens")
    emsp.set_defaults(run=_emsp)

    cpo = simulate.add_parser(
        "cpo",
        help="an OCPI CPO on a loopback port (Phase 2): registers as CPO, pushes a tariff, prints the "
        "sessions and CDRs of its stations, takes commands on its input (tariff, sessions, cdrs; "
        "docs/phase2.md)",
    )
    _party_arguments(cpo, "GLP")
    cpo.add_argument(
        "--tariff-id", help="the tariff it pushes (default: the first its stations' connectors reference)"
    )
    cpo.add_argument(
        "--price", type=_price, default=0.40, help="its price per kWh in EUR, VAT 23%% (default 0.40)"
    )
    cpo.set_defaults(run=_cpo)


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
    demo.add_argument("--hub", default="http://127.0.0.1:8080", help=HUB_HELP)
    demo.add_argument("--party-id", default="SIM", help="the simulated EMSP's party id (default %(default)s)")
    demo.add_argument(
        "--station",
        default="PRT-00107",
        help="the demo station to charge at, one of a CPO's (PT/GLP; default %(default)s)",
    )
    demo.add_argument(
        "--step-timeout", type=float, default=30, help="seconds each step may take (default 30)"
    )
    demo.add_argument("--charge-seconds", type=float, default=4, help="charging time once meter values flow")
    demo.add_argument("--json", action="store_true", help="one JSON object per event")
    demo.set_defaults(run=_demo)
