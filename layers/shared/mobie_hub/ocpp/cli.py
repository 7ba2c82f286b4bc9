"""The OCPP sub-commands of ``mobie-hub``: ``stations …`` (admin operations) and ``simulate station``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _payload(text: str) -> dict[str, Any]:
    """``--payload``: a JSON object (argparse reports anything else as a usage error, exit 2)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object")
    return value


def add_station_commands(commands: argparse._SubParsersAction) -> None:
    from mobie_hub.cli import add_admin_command

    group = commands.add_parser("stations", help="OCPP charging stations").add_subparsers(
        dest="action", required=True
    )
    setter = add_admin_command(
        group,
        "set-password",
        "stations.set_password",
        "set the station's HTTP Basic password (OCPP security profile 1/2; 16 to 40 bytes)",
        lambda a: {"station_id": a.id, "password": a.password, "hex": a.hex},
    )
    setter.add_argument("id", help="the charge point id (its Location id)")
    setter.add_argument("password")
    setter.add_argument(
        "--hex", action="store_true", help="PASSWORD is hex, as in the AuthorizationKey setting"
    )
    for name, operation, help_text in (
        ("clear-password", "stations.clear_password", "remove the station's password"),
        ("show", "stations.show", "connected or not, last seen, boot facts, the call awaiting an answer"),
    ):
        add_admin_command(group, name, operation, help_text, lambda a: {"station_id": a.id}).add_argument(
            "id"
        )
    caller = add_admin_command(
        group,
        "call",
        "stations.call",
        "send an OCPP call (TriggerMessage, UnlockConnector, …) and wait for the answer (local hub)",
        lambda a: {"station_id": a.id, "action": a.ocpp_action, "payload": a.payload, "wait_seconds": a.wait},
    )
    caller.add_argument("id")
    caller.add_argument("ocpp_action", metavar="ACTION", help="e.g. TriggerMessage")
    caller.add_argument(
        "--payload",
        type=_payload,
        default={},
        help='the call\'s JSON payload, e.g. \'{"requestedMessage": "Heartbeat"}\'',
    )
    caller.add_argument("--wait", type=float, default=30, help="seconds to wait for the answer (default 30)")


def _simulate(args: argparse.Namespace) -> int:
    """Exit 0 when done, 1 when the hub did not accept the boot or the idTag, 2 when the hub could not
    be reached or refused the connection (the reason on stderr)."""
    import asyncio

    from mobie_hub.simulator import SimulatorOptions, run

    options = SimulatorOptions(
        station_id=args.id,
        url=args.url,
        password=args.password,
        connectors=args.connectors,
        rfid=args.rfid,
        charge_seconds=args.charge_seconds,
        connector=args.connector,
        meter_interval=args.meter_interval,
        once=args.once,
    )
    try:
        return asyncio.run(run(options))
    except OSError as exc:
        problem = f"cannot reach the hub at {args.url}: {exc}"
    except Exception as exc:  # websockets' InvalidStatus: the hub refused the handshake
        response = getattr(exc, "response", None)
        if response is None:
            raise
        reason = response.body.decode("utf-8", "replace").strip() if response.body else ""
        problem = f"the hub refused station {args.id}: HTTP {response.status_code} {reason}"
    print(f"mobie-hub: {problem}", file=sys.stderr)
    return 2


def add_simulate_commands(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("simulate", help="simulators for demos and integration tests").add_subparsers(
        dest="what", required=True
    )
    station = group.add_parser("station", help="an OCPP 1.6-J charging station connected to the hub")
    station.add_argument("--id", required=True, help="the charge point id (a Location id, e.g. LSB-00175)")
    station.add_argument(
        "--url", default="ws://127.0.0.1:8080/ocpp", help="the hub's OCPP endpoint (default %(default)s)"
    )
    station.add_argument("--password", help="HTTP Basic password (security profile 1/2)")
    station.add_argument(
        "--connectors", type=int, default=2, help="connectors (= EVSEs of the Location; default 2)"
    )
    station.add_argument("--rfid", help="charge once with this idTag after booting")
    station.add_argument("--charge-seconds", type=float, default=30, help="how long to charge (default 30)")
    station.add_argument("--connector", type=int, default=1, help="the connector to charge on (default 1)")
    station.add_argument(
        "--meter-interval", type=float, default=10, help="seconds between MeterValues (default 10)"
    )
    station.add_argument(
        "--once", action="store_true", help="exit after the charge instead of staying connected"
    )
    station.set_defaults(run=_simulate)
