"""What every ``mobie-hub`` sub-command shares: the admin transport, ``add_admin_command`` and
``CliError``. Below ``mobie_hub.cli.main`` and the sub-CLIs (audit, ocpp, parties) that import it, so
the top-level command imports them and none of them imports it back.

Admin sub-commands reach the hub through an admin transport (``--hub`` locally, ``--stack`` in AWS),
print a readable summary or, with ``--json``, exactly one JSON object.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from mobie_hub.admin.client import AdminTransport, HttpAdmin, LambdaAdmin
from mobie_hub.cli.progress import working

PayloadBuilder = Callable[[argparse.Namespace], dict[str, Any]]


class CliError(Exception):
    """A problem with the command line itself (a missing or unreadable file, …)."""


def transport(args: argparse.Namespace) -> AdminTransport:
    """The admin transport the parsed ``--hub`` / ``--stack`` options name."""
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
    progress: Callable[[argparse.Namespace, dict[str, Any]], str] | None = None,
) -> argparse.ArgumentParser:
    """A sub-command that sends ``payload(args)`` to the admin operation ``operation`` (or the one
    ``operation(args)`` names, for a command whose options choose it). A long operation names what it
    does with ``progress(args, payload)``, shown on a terminal while it runs (``mobie_hub.cli.progress``)."""
    parser = commands.add_parser(name, help=help)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--hub", default="http://127.0.0.1:8080", help="local hub URL (default %(default)s)")
    where.add_argument("--stack", help="deployed CloudFormation stack name (uses your AWS credentials)")
    parser.add_argument("--region", help="AWS region of --stack")
    parser.add_argument("--hub-ca", help="CA certificate of an https --hub (e.g. certs/ca.pem)")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object")

    def run(args: argparse.Namespace) -> int:
        name = operation(args) if callable(operation) else operation
        sent = payload(args)
        with working(progress(args, sent) if progress else name, quiet=args.json or progress is None):
            result = transport(args).call(name, sent)
        print(json.dumps(result, ensure_ascii=False) if args.json else _render(result))
        return 0

    parser.set_defaults(run=run)
    return parser


def read_json_file(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise CliError(f"{path} is not valid JSON: {exc}") from exc
