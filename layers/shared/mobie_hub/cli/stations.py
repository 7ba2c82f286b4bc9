"""The OCPP sub-commands of ``mobie-hub``: ``stations …`` (admin operations) and ``simulate station``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from mobie_hub.cli.command_line import CliError, add_admin_command
from mobie_hub.cli.sandbox import add_party_simulators


def _payload(text: str) -> dict[str, Any]:
    """``--payload``: a JSON object (argparse reports anything else as a usage error, exit 2)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object")
    return value


def _password_operation(args: argparse.Namespace) -> str:
    if args.from_file is not None:
        return "stations.set_passwords"
    if args.generate is not None:
        return "stations.generate_passwords"
    return "stations.set_password"


def _password_payload(args: argparse.Namespace) -> dict[str, Any]:
    bulk = args.from_file is not None or args.generate is not None
    if bulk and (args.id or args.password):
        raise CliError("give ID PASSWORD, or --from-file, or --generate IDs, not several")
    if args.all and args.generate is None:
        raise CliError("--all goes with --generate")
    if args.from_file is not None:
        return {"passwords": [{**row, "hex": args.hex} for row in _password_rows(args.from_file)]}
    if args.generate is not None:
        if bool(args.generate) == args.all:
            raise CliError("--generate needs station ids or --all (not both)")
        return {"station_ids": args.generate, "all": args.all}
    if not (args.id and args.password):
        raise CliError("set-password needs ID PASSWORD (or --from-file CSV, or --generate)")
    return {"station_id": args.id, "password": args.password, "hex": args.hex}


def _password_rows(path: str) -> list[dict[str, str]]:
    """``station_id,password`` rows; blank lines skipped, a first row naming the columns allowed."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from exc
    if rows and [cell.strip().lower() for cell in rows[0]] == ["station_id", "password"]:
        rows = rows[1:]
    bad = [number for number, row in enumerate(rows, start=1) if len(row) != 2 or not row[0].strip()]
    if bad or not rows:
        raise CliError(f"{path}: every row must be station_id,password (bad rows: {bad[:10] or 'no rows'})")
    return [{"station_id": row[0].strip(), "password": row[1]} for row in rows]


def add_station_commands(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("stations", help="OCPP charging stations").add_subparsers(
        dest="action", required=True
    )
    setter = add_admin_command(
        group,
        "set-password",
        _password_operation,
        "set stations' HTTP Basic passwords (OCPP security profile 1/2; 16 to 40 bytes): ID PASSWORD, "
        "--from-file CSV, or --generate [ID ...] / --generate --all",
        _password_payload,
    )
    setter.add_argument("id", nargs="?", help="the charge point id (its Location id)")
    setter.add_argument("password", nargs="?")
    setter.add_argument(
        "--hex", action="store_true", help="the passwords are hex, as in the AuthorizationKey setting"
    )
    bulk = setter.add_mutually_exclusive_group()
    bulk.add_argument(
        "--from-file",
        metavar="CSV",
        help="station_id,password rows (a header row is allowed); all or nothing",
    )
    bulk.add_argument(
        "--generate",
        nargs="*",
        metavar="ID",
        help="generate strong random passwords for these stations (or --all) and print them, once",
    )
    setter.add_argument("--all", action="store_true", help="with --generate: every station")
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
        password=args.password if args.password is not None else _demo_password(args.url, args.id),
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
        if response.status_code == 401:
            problem += (
                " (without --password the simulator uses the demo password the local hub gave the station "
                "at start; a password set since then must be given with --password)"
            )
    print(f"mobie-hub: {problem}", file=sys.stderr)
    return 2


def _demo_password(ocpp_url: str, station_id: str) -> str | None:
    """Without ``--password``: the password the local hub gave this demo station at start, from its
    admin interface (on the hub's own origin); None when there is none (the hub then refuses)."""
    from urllib.parse import urlsplit

    from mobie_hub.admin.client import AdminError, HttpAdmin

    parts = urlsplit(ocpp_url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        return None
    try:
        answer = HttpAdmin(f"{scheme}://{parts.netloc}", timeout=10).call(
            "stations.demo_password", {"station_id": station_id}
        )
    except (AdminError, ValueError):  # not a local hub, not a demo station: connect without one
        return None
    return answer.get("password")


def add_simulate_commands(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("simulate", help="simulators for demos and integration tests").add_subparsers(
        dest="what", required=True
    )
    station = group.add_parser("station", help="an OCPP 1.6-J charging station connected to the hub")
    station.add_argument("--id", required=True, help="the charge point id (a Location id, e.g. LSB-00175)")
    station.add_argument(
        "--url", default="ws://127.0.0.1:8080/ocpp", help="the hub's OCPP endpoint (default %(default)s)"
    )
    station.add_argument(
        "--password",
        help="HTTP Basic password (security profile 1/2); default: the demo password the local hub at "
        "--url gave this station at start, asked of its admin interface",
    )
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
    add_party_simulators(group)
