"""``mobie-hub audit [--correlation-id X] [--party PT/EDP] [--station ID] [--session ID] [--since T]
[--until T] [--json]``: find messages in the audit trail (docs/operations.md)."""

from __future__ import annotations

import argparse
import json
import re
from datetime import timedelta
from typing import Any

from mobie_hub.cli import command_line
from mobie_hub.core.types import format_datetime, utcnow

_RELATIVE = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def moment(value: str) -> str:
    """``--since``/``--until``: RFC 3339 (no offset = UTC), or an age like ``15m``, ``2h``, ``1d``."""
    relative = _RELATIVE.match(value.strip())
    if relative:
        return format_datetime(utcnow() - timedelta(**{_UNITS[relative[2]]: int(relative[1])}))
    return value.strip()


def payload(args: argparse.Namespace) -> dict[str, Any]:
    fields = {
        "correlation_id": args.correlation_id,
        "party": args.party,
        "station": args.station,
        "session": args.session,
        "since": args.since and moment(args.since),
        "until": args.until and moment(args.until),
        "limit": args.limit,
    }
    return {key: value for key, value in fields.items() if value is not None}


def render(result: dict[str, Any]) -> str:
    """One header line per message (time, direction, who, what, ids, status), then its body."""
    lines = []
    for r in result["records"]:
        who = r.get("party") or r.get("station") or "-"
        what = r.get("action") or " ".join(p for p in (r.get("method"), r.get("url")) if p) or "-"
        status = "/".join(str(r[k]) for k in ("http_status", "ocpi_status", "error_code") if k in r)
        ids = " ".join(
            f"{k}={r[k]}" for k in ("correlation_id", "request_id", "message_id", "session_id") if k in r
        )
        arrow = "→ hub" if r["direction"] == "in" else "hub →"
        lines.append(
            f"{r['at']}  {r['channel']} {r['kind']:<10} {arrow} {who}  {what}  {status}  {ids}".rstrip()
        )
        if r.get("body"):
            lines.append("    " + r["body"] + (" …(cut)" if r.get("body_truncated") else ""))
    lines.append(f"{result['count']} message(s)")
    if result.get("skipped_lines"):
        lines.append(f"{result['skipped_lines']} unreadable line(s) in the audit store skipped")
    return "\n".join(lines)


def add_audit_command(commands: argparse._SubParsersAction) -> None:
    parser = command_line.add_admin_command(
        commands,
        "audit",
        "audit.find",
        "find OCPI and OCPP messages in the audit trail (what a party or station sent, what the hub answered)",
        payload,
    )
    parser.add_argument("--correlation-id", help="X-Correlation-ID of an OCPI exchange (and its pushes)")
    parser.add_argument("--party", help="an EMSP as COUNTRY/PARTY_ID, e.g. PT/EDP")
    parser.add_argument("--station", help="an OCPP charge point id (a Location id)")
    parser.add_argument("--session", help="an OCPI session id or an OCPP transaction id")
    parser.add_argument(
        "--since", help="from (RFC 3339 in UTC, e.g. 2026-12-01T10:40:00Z, or an age: 15m, 2h)"
    )
    parser.add_argument("--until", help="until (same forms as --since; default now)")
    parser.add_argument("--limit", type=int, help="at most this many messages (default 200)")

    def run(args: argparse.Namespace) -> int:
        result = command_line.transport(args).call("audit.find", payload(args))
        print(json.dumps(result, ensure_ascii=False) if args.json else render(result))
        return 0

    parser.set_defaults(run=run)
