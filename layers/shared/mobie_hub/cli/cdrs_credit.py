"""``mobie-hub cdrs credit CDR_ID --reason TEXT``: credit a CDR already billed (docs/sessions.md
"Credit CDRs"). Prints the credit CDR's id, the CDR it credits, its owner and its (negative) total.

The ``cdrs`` command group may hold other sub-commands defined elsewhere (``cli/cdrs.py``), so this
one joins the group whichever module makes it first instead of declaring it a second time.
"""

from __future__ import annotations

import argparse

from mobie_hub.cli.command_line import add_admin_command

GROUP_HELP = "the hub's CDRs (OCPI cdrs: billed charges)"


def cdrs_commands(commands: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The sub-commands of ``mobie-hub cdrs``: the group's, made here if no other module made it yet."""
    group = commands.choices.get("cdrs") or commands.add_parser("cdrs", help=GROUP_HELP)
    existing = [a for a in group._actions if isinstance(a, argparse._SubParsersAction)]
    return existing[0] if existing else group.add_subparsers(dest="action", required=True)


def add_cdrs_credit_command(commands: argparse._SubParsersAction) -> None:
    credit = add_admin_command(
        cdrs_commands(commands), "credit", "cdrs.credit",
        "credit a billed CDR: a credit CDR with negative totals, pushed to the owning EMSP (once per CDR)",
        lambda a: {"cdr_id": a.cdr_id, "reason": a.reason},
    )
    credit.add_argument("cdr_id", metavar="CDR_ID", help="the id of the CDR to credit")
    credit.add_argument(
        "--reason", required=True,
        help="why (at most 255 characters): the credit CDR's remark, which the EMSP reads",
    )
