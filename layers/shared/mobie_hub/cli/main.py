"""The ``mobie-hub`` command. Each sub-command parses its arguments and makes one call.

Admin sub-commands reach the hub through an admin transport (``--hub`` locally, ``--stack`` in AWS),
print a readable summary or, with ``--json``, exactly one JSON object; errors go to stderr, exit 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mobie_hub.admin.client import AdminError
from mobie_hub.cli.audit import add_audit_command
from mobie_hub.cli.cdrs import add_cdrs_commands
from mobie_hub.cli.cdrs_credit import add_cdrs_credit_command
from mobie_hub.cli.command_line import CliError, add_admin_command, read_json_file
from mobie_hub.cli.parties import add_certs_commands, add_party_commands
from mobie_hub.cli.progress import counted
from mobie_hub.cli.sandbox import add_demo_command
from mobie_hub.cli.smoke import add_smoke_command
from mobie_hub.cli.stations import add_simulate_commands, add_station_commands

__all__ = ["CliError", "add_admin_command", "build_parser", "main", "read_json_file"]


def _serve(args: argparse.Namespace) -> int:
    from mobie_hub.cli.serve import ServeOptions, serve

    tls = (args.tls_cert, args.tls_key, args.client_ca)
    if any(tls) and not all(tls):
        raise CliError("--tls-cert, --tls-key and --client-ca go together")
    serve(ServeOptions(allow_loopback_parties=args.allow_loopback_parties,
                       allow_http_parties=args.allow_http_parties, host=args.host, port=args.port, public_url=args.public_url, demo=not args.no_demo,
                       insecure_open_stations=args.insecure_open_stations, tls_cert=args.tls_cert,
                       tls_key=args.tls_key, client_ca=args.client_ca, renewal_interval=args.renewal_interval,
                       renewal_days=args.renewal_days, log_format=args.log_format))
    return 0


def _add_cpo_commands(group: argparse._SubParsersAction) -> None:
    """``locations set-cpo`` / ``locations list``: which CPO operates which station (issue #16)."""
    set_cpo = add_admin_command(
        group, "set-cpo", "locations.set_cpo",
        "make a CPO party (or the hub itself) the operator of a station: its party_id, EVSE ids and "
        "tariffs move with it, the EMSPs are told (docs/phase2.md)",
        lambda a: {"location_id": a.location_id, "party_id": a.party_id, "country_code": a.country_code,
                   "operator_name": a.operator_name},
    )
    set_cpo.add_argument("location_id", help="e.g. LSB-00175")
    set_cpo.add_argument("--party-id", required=True, help="the CPO's party_id (the hub's own: MOB)")
    set_cpo.add_argument("--country-code", help="the CPO's country_code (default the station's)")
    set_cpo.add_argument(
        "--operator-name", help="the Location's operator (default the CPO's business details, else unchanged)"
    )
    listing = add_admin_command(
        group, "list", "locations.list", "every station and the party (CPO) that operates it",
        lambda a: {"party_id": a.party_id, "country_code": a.country_code},
    )
    listing.add_argument("--party-id", help="only the stations of this party")
    listing.add_argument("--country-code", help="only the stations of this country code")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mobie-hub", description="MOBI.E OCPI 2.2 hub and OCPP 1.6-J backend")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the whole hub locally with an embedded DynamoDB")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--public-url", help="base of every URL the hub publishes (default http://HOST:PORT)")
    serve.add_argument("--no-demo", action="store_true", help="start with an empty store")
    serve.add_argument(
        "--log-format", choices=("auto", "console", "json"), default="auto",
        help="console: one readable line per event; json: JSON lines as in AWS; auto (default): console "
        "when stdout is a terminal",
    )
    serve.add_argument(
        "--insecure-open-stations", action="store_true",
        help="INSECURE: OCPP stations without a password connect without authenticating (anyone can pose "
        "as one); by default every station authenticates (HTTP Basic)",
    )
    serve.add_argument(  # the default since issue 12; kept so that existing scripts still run
        "--require-station-auth", action="store_true", help="no effect: stations authenticate by default",
    )
    serve.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM; `mobie-hub certs init`)")
    serve.add_argument("--tls-key", help="the private key of --tls-cert")
    serve.add_argument("--client-ca", help="CA whose client certificates the OCPI API requires (mutual TLS)")
    serve.add_argument("--renewal-interval", type=float, help="seconds between credentials renewal runs (1 day)")
    serve.add_argument("--renewal-days", type=float, help="renew credentials older than this many days (7)")
    serve.add_argument(
        "--allow-loopback-parties", action="store_true",
        help="LOCAL SANDBOX ONLY: let the hub call party URLs on loopback (simulated EMSPs on 127.0.0.1); "
        "any party could then make the hub call local services",
    )
    serve.add_argument(
        "--allow-http-parties", action="store_true",
        help="call parties over plain http also when the hub serves TLS (without TLS it does anyway)",
    )
    serve.set_defaults(run=_serve)

    add_admin_command(commands, "status", "status", "what the hub is and where it publishes", lambda a: {})
    add_audit_command(commands)
    add_station_commands(commands)
    add_simulate_commands(commands)
    add_demo_command(commands)
    add_party_commands(commands)
    add_certs_commands(commands)
    add_smoke_command(commands)

    groups = {}
    for kind in ("locations", "tariffs"):
        group = groups[kind] = commands.add_parser(kind, help=f"the station registry's {kind}").add_subparsers(
            dest="action", required=True
        )
        importer = add_admin_command(
            group, "import", f"{kind}.import",
            f"import a JSON array of OCPI {kind[:-1].title()} objects (validated whole; nothing stored on error)",
            lambda a, kind=kind: {kind: read_json_file(a.file)},
            progress=lambda a, sent, kind=kind: f"importing {counted(sent[kind], kind)}",
        )
        importer.add_argument("file", help="path of the JSON file")
    _add_cpo_commands(groups["locations"])

    tokens = commands.add_parser("tokens", help="the EMSPs' tokens (MOBI.E's whitelist)")
    token_commands = tokens.add_subparsers(dest="action", required=True)
    sync = add_admin_command(
        token_commands, "sync", "tokens.sync",
        "pull an EMSP's full token list and reconcile the hub's copy (docs/tokens.md)",
        lambda a: {"party": a.party, "dry_run": a.dry_run, "invalidate_missing": not a.keep_missing},
        progress=lambda a, sent: f"pulling the tokens of {a.party} and reconciling",
    )
    sync.add_argument("--party", required=True, help="the EMSP as COUNTRY/PARTY_ID, e.g. PT/EDP")
    sync.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    sync.add_argument(
        "--keep-missing", action="store_true", help="report tokens no longer listed; do not invalidate them"
    )
    add_admin_command(
        token_commands, "conflicts", "tokens.conflicts",
        "list idTags that valid tokens of several registered EMSPs share (Invalid at stations until settled)",
        lambda a: {},
    )
    add_cdrs_commands(commands)
    add_cdrs_credit_command(commands)  # last: joins a `cdrs` group made above (cli/cdrs.py), if any
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except AdminError as exc:
        print(f"mobie-hub: {exc.kind}: {exc.message}", file=sys.stderr)
        return 1
    except CliError as exc:
        print(f"mobie-hub: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130

