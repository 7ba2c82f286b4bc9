"""``mobie-hub parties …`` (admin operations of ``mobie_hub.parties.admin``) and ``mobie-hub certs …``
(local files, no hub needed)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from mobie_hub.cli.command_line import add_admin_command


def _cli_error(message: str) -> SystemExit:
    """A command-line problem: message on stderr, exit code 2 (as argparse and ``CliError`` do)."""
    print(f"mobie-hub: {message}", file=sys.stderr)
    return SystemExit(2)


def _read_cert(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        return Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise _cli_error(f"cannot read the certificate {path}: {exc}") from exc


def _selector(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--country-code", required=True, help="e.g. PT")
    parser.add_argument("--party-id", required=True, help="e.g. EDP")
    parser.add_argument("--role", default="EMSP", help="OCPI role (default %(default)s)")


def _selected(args: argparse.Namespace) -> dict[str, Any]:
    return {"role": args.role.upper(), "country_code": args.country_code, "party_id": args.party_id}


def add_party_commands(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("parties", help="OCPI parties: registration, credentials, certificates")
    actions = group.add_subparsers(dest="action", required=True)

    invite = add_admin_command(
        actions,
        "invite",
        "parties.invite",
        "issue a token A the party registers with (it POSTs its credentials)",
        lambda a: {**_selected(a), "client_cert": _read_cert(a.client_cert)},
    )
    _selector(invite)
    invite.add_argument("--client-cert", help="the party's client certificate (PEM) to bind")

    register = add_admin_command(
        actions,
        "register",
        "parties.register",
        "register with a party from its versions URL and token A (the hub starts the handshake)",
        lambda a: {
            "versions_url": a.versions_url,
            "token_a": a.token_a,
            "role": a.role.upper(),
            "country_code": a.country_code,
            "party_id": a.party_id,
            "client_cert": _read_cert(a.client_cert),
        },
    )
    register.add_argument("--versions-url", required=True, help="the party's OCPI versions URL")
    register.add_argument("--token-a", required=True, help="the token the party gave MOBI.E out of band")
    register.add_argument("--country-code", help="the party expected at the other end (checked if given)")
    register.add_argument("--party-id", help="the party expected at the other end (checked if given)")
    register.add_argument("--role", default="EMSP", help="its role (default %(default)s)")
    register.add_argument("--client-cert", help="the party's client certificate (PEM) to bind")

    add_admin_command(actions, "list", "parties.list", "every party and its status", lambda a: {})
    for name, operation, text in (
        ("show", "parties.show", "one party"),
        ("update-endpoints", "parties.update_endpoints", "re-read the party's version details"),
        (
            "renew",
            "parties.renew",
            "renew the party's credentials now (credentials PUT, new tokens both ways)",
        ),
        ("unregister", "parties.unregister", "tell the party (credentials DELETE) and revoke its tokens"),
    ):
        _selector(add_admin_command(actions, name, operation, text, _selected))
    add_admin_command(
        actions,
        "renew-due",
        "parties.renew_due",
        "renew every party whose credentials are older than the renewal age",
        lambda a: {},
    )

    bind = add_admin_command(
        actions,
        "bind-cert",
        "parties.bind_cert",
        "bind a client certificate to the party (mutual TLS)",
        lambda a: {**_selected(a), "client_cert": _read_cert(a.client_cert), "add": a.add},
    )
    _selector(bind)
    bind.add_argument("--client-cert", required=True, help="the certificate (PEM)")
    bind.add_argument("--add", action="store_true", help="keep the certificates bound so far (rollover)")


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key}: {value if isinstance(value, str) else json.dumps(value)}")


def _certs_init(args: argparse.Namespace) -> int:
    from mobie_hub.local import certs

    _print(certs.init(Path(args.dir), args.host or ["127.0.0.1", "localhost"], days=args.days), args.json)
    return 0


def _certs_issue(args: argparse.Namespace) -> int:
    from mobie_hub.local import certs

    try:
        issued = certs.issue_client(
            Path(args.dir), args.role, args.country_code, args.party_id, days=args.days
        )
    except FileNotFoundError as exc:
        raise _cli_error(str(exc)) from exc
    _print(issued.as_dict(), args.json)
    return 0


def add_certs_commands(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("certs", help="a local CA for mutual TLS: server and party certificates")
    actions = group.add_subparsers(dest="action", required=True)

    init = actions.add_parser("init", help="create the CA (once) and a server certificate for the hub")
    init.add_argument(
        "--host", action="append", help="a host name or IP of the hub (repeatable; 127.0.0.1, localhost)"
    )
    init.set_defaults(run=_certs_init)

    issue = actions.add_parser("issue", help="issue a client certificate for one party")
    _selector(issue)
    issue.set_defaults(run=_certs_issue)

    for parser, days in ((init, 825), (issue, 365)):
        parser.add_argument(
            "--dir", default="certs", help="where the CA and certificates live (default %(default)s)"
        )
        parser.add_argument("--days", type=int, default=days, help="validity in days (default %(default)s)")
        parser.add_argument("--json", action="store_true", help="print exactly one JSON object")
