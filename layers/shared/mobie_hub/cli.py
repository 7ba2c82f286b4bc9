"""The ``mobie-hub`` command. Each sub-command parses its arguments and makes one call.

Admin sub-commands reach the hub through an admin transport (``--hub`` locally, ``--stack`` in AWS),
print a readable summary or, with ``--json``, exactly one JSON object; errors go to stderr, exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from mobie_hub.admin.client import AdminError, AdminTransport, HttpAdmin, LambdaAdmin

PayloadBuilder = Callable[[argparse.Namespace], dict[str, Any]]


def _transport(args: argparse.Namespace) -> AdminTransport:
    return LambdaAdmin(args.stack, args.region) if args.stack else HttpAdmin(args.hub, ca_file=args.hub_ca)


def _render(result: dict[str, Any]) -> str:
    lines = []
    for key, value in result.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        lines.append(f"{key}: {text}")
    return "\n".join(lines)


def add_admin_command(
    commands: argparse._SubParsersAction,
    name: str,
    operation: str | Callable[[argparse.Namespace], str],
    help: str,
    payload: PayloadBuilder,
) -> argparse.ArgumentParser:
    """A sub-command that sends ``payload(args)`` to the admin operation ``operation`` (or the one
    ``operation(args)`` names, for a command whose options choose it)."""
    parser = commands.add_parser(name, help=help)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--hub", default="http://127.0.0.1:8080", help="local hub URL (default %(default)s)")
    where.add_argument("--stack", help="deployed CloudFormation stack name (uses your AWS credentials)")
    parser.add_argument("--region", help="AWS region of --stack")
    parser.add_argument("--hub-ca", help="CA certificate of an https --hub (e.g. certs/ca.pem)")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object")

    def run(args: argparse.Namespace) -> int:
        name = operation(args) if callable(operation) else operation
        result = _transport(args).call(name, payload(args))
        print(json.dumps(result, ensure_ascii=False) if args.json else _render(result))
        return 0

    parser.set_defaults(run=run)
    return parser


class CliError(Exception):
    """A problem with the command line itself (a missing or unreadable file, …)."""


def read_json_file(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise CliError(f"{path} is not valid JSON: {exc}") from exc


def _serve(args: argparse.Namespace) -> int:
    from mobie_hub.local.server import ServeOptions, serve

    tls = (args.tls_cert, args.tls_key, args.client_ca)
    if any(tls) and not all(tls):
        raise CliError("--tls-cert, --tls-key and --client-ca go together")
    serve(ServeOptions(allow_loopback_parties=args.allow_loopback_parties,
                       allow_http_parties=args.allow_http_parties, host=args.host, port=args.port, public_url=args.public_url, demo=not args.no_demo,
                       insecure_open_stations=args.insecure_open_stations, tls_cert=args.tls_cert,
                       tls_key=args.tls_key, client_ca=args.client_ca, renewal_interval=args.renewal_interval,
                       renewal_days=args.renewal_days))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mobie-hub", description="MOBI.E OCPI 2.2 hub and OCPP 1.6-J backend")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the whole hub locally with an embedded DynamoDB")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--public-url", help="base of every URL the hub publishes (default http://HOST:PORT)")
    serve.add_argument("--no-demo", action="store_true", help="start with an empty store")
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
    from mobie_hub.audit.cli import add_audit_command

    add_audit_command(commands)
    from mobie_hub.ocpp.cli import add_simulate_commands, add_station_commands

    add_station_commands(commands)
    add_simulate_commands(commands)
    from mobie_hub.admin.parties_cli import add_certs_commands, add_party_commands

    add_party_commands(commands)
    add_certs_commands(commands)

    for kind in ("locations", "tariffs"):
        group = commands.add_parser(kind, help=f"the station registry's {kind}").add_subparsers(
            dest="action", required=True
        )
        importer = add_admin_command(
            group, "import", f"{kind}.import",
            f"import a JSON array of OCPI {kind[:-1].title()} objects (validated whole; nothing stored on error)",
            lambda a, kind=kind: {kind: read_json_file(a.file)},
        )
        importer.add_argument("file", help="path of the JSON file")

    tokens = commands.add_parser("tokens", help="the EMSPs' tokens (MOBI.E's whitelist)")
    token_commands = tokens.add_subparsers(dest="action", required=True)
    sync = add_admin_command(
        token_commands, "sync", "tokens.sync",
        "pull an EMSP's full token list and reconcile the hub's copy (docs/tokens.md)",
        lambda a: {"party": a.party, "dry_run": a.dry_run, "invalidate_missing": not a.keep_missing},
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


if __name__ == "__main__":
    sys.exit(main())
