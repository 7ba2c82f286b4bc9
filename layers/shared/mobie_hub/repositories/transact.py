"""TransactWriteItems across the hub's tables, with the cancellation reasons kept per action.

Actions are written in the resource (Python value) shape with a table *key* (``"stations"``); this
module serialises them for the low-level client. A cancelled transaction raises ``Cancelled``, which
tells which action's condition failed and, for actions that asked for it, the item that made it fail
(``ReturnValuesOnConditionCheckFailure``), so a caller needs no read to learn why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mobie_hub.core import stream_images
from mobie_hub.repositories.dynamodb import dynamodb_resource
from mobie_hub.settings import get_settings


@dataclass
class Action:
    """One Put, Update, Delete or ConditionCheck of a transaction."""

    kind: str  # Put | Update | Delete | ConditionCheck
    table: str  # table key, e.g. "stations"
    body: dict[str, Any] = field(default_factory=dict)


def put(
    table: str,
    item: dict[str, Any],
    condition: str | None = None,
    *,
    return_old: bool = False,
    **expression: Any,
) -> Action:
    body: dict[str, Any] = {"Item": item, **expression}
    if condition:
        body["ConditionExpression"] = condition
    if return_old:
        body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return Action("Put", table, body)


def update(
    table: str,
    key: dict[str, Any],
    expression: str,
    condition: str | None = None,
    *,
    return_old: bool = False,
    **expression_values: Any,
) -> Action:
    body: dict[str, Any] = {"Key": key, "UpdateExpression": expression, **expression_values}
    if condition:
        body["ConditionExpression"] = condition
    if return_old:
        body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return Action("Update", table, body)


class Cancelled(Exception):
    """The transaction was cancelled; ``codes[i]`` is action i's reason (``None`` when it was fine,
    ``ConditionalCheckFailed``, ``TransactionConflict``, …) and ``items[i]`` the item it found."""

    def __init__(self, codes: list[str | None], items: list[dict[str, Any] | None]) -> None:
        super().__init__(f"transaction cancelled: {codes}")
        self.codes = codes
        self.items = items

    def condition_failed(self, index: int) -> bool:
        return index < len(self.codes) and self.codes[index] == "ConditionalCheckFailed"

    @property
    def conflict(self) -> bool:
        """Another transaction was writing one of the items: safe to retry."""
        return "TransactionConflict" in self.codes


def write(actions: list[Action]) -> None:
    """One TransactWriteItems call (at most 100 actions, one per item).

    The resource's client serialises Python values itself (boto3's transformation hooks), so the
    actions go as they are; only the items of cancellation reasons come back in the low-level shape.
    """
    names = get_settings().tables
    client = dynamodb_resource().meta.client
    try:
        client.transact_write_items(
            TransactItems=[{a.kind: {**a.body, "TableName": names[a.table]}} for a in actions]
        )
    except client.exceptions.TransactionCanceledException as exc:
        reasons = exc.response.get("CancellationReasons") or [{} for _ in actions]
        codes = [None if r.get("Code") in (None, "None") else r["Code"] for r in reasons]
        items = [stream_images.plain(r["Item"]) if r.get("Item") else None for r in reasons]
        raise Cancelled(codes, items) from exc

