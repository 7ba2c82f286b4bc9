"""``mobie-hub cdrs undelivered [--json]`` and ``mobie-hub cdrs redeliver CDR_ID``.

``undelivered``: the CDRs an EMSP has not accepted (docs/operations.md "Undelivered CDRs"): FAILED
ones, whose bounded retries are exhausted and which the operator must settle with the EMSP, then
PENDING ones, still being retried. One line each: CDR, EMSP, status, attempts, the next attempt,
the EMSP's last answer. ``redeliver``, once the cause is settled with
the EMSP: a new round of attempts for that CDR, the first at the next sweep (within 5 minutes).

The ``cdrs`` command group may hold sub-commands defined in other modules (``cli/cdrs_credit.py``),
so this one joins the group whichever module makes it first.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from mobie_hub.cli import command_line

GROUP_HELP = "the hub's CDRs (OCPI cdrs: billed charges)"


def cdrs_commands(commands: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The sub-commands of ``mobie-hub cdrs``: the group's, made here if no other module made it yet."""
    group = commands.choices.get("cdrs") or commands.add_parser("cdrs", help=GROUP_HELP)
    existing = [a for a in group._actions if isinstance(a, argparse._SubParsersAction)]
    return existing[0] if existing else group.add_subparsers(dest="action", required=True)


def render(result: dict[str, Any]) -> str:
    lines = [
        f"{d['status']:<9} {d['cdr_id']}  {d['party']}  attempts={d['attempts']}"
        + (f"  next={d['next_attempt_at']}" if d.get("next_attempt_at") else "")
        + (f"  last_error={d['last_error']}" if d.get("last_error") else "")
        for d in result["deliveries"]
    ]
    lines.append(f"{result['count']} undelivered CDR(s)")
    return "\n".join(lines)


def _undelivered(args: argparse.Namespace) -> int:
    result = command_line.transport(args).call("cdrs.undelivered", {})
    print(json.dumps(result, ensure_ascii=False) if args.json else render(result))
    return 0


def add_cdrs_commands(commands: argparse._SubParsersAction) -> None:
    parser = command_line.add_admin_command(
        cdrs_commands(commands), "undelivered", "cdrs.undelivered",
        "list CDRs their EMSP has not accepted: FAILED (retries exhausted, act now), then PENDING (retrying)",
        lambda a: {},
    )
    parser.set_defaults(run=_undelivered)  # the same call, printed as one line per CDR
    again = command_line.add_admin_command(
        cdrs_commands(commands), "redeliver", "cdrs.redeliver",
        "retry an undelivered CDR now: a new round of bounded attempts, the first at the next sweep",
        lambda a: {"cdr_id": a.cdr_id},
    )
    again.add_argument("cdr_id", metavar="CDR_ID", help="the id of the CDR to deliver again")
