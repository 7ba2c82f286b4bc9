"""TransactWriteItems across the hub's tables, with the cancellation reasons kept per action.

Actions are written in the resource (Python value) shape with a table *key* (``"stations"``); this
module serialises them for the low-level client. A cancelled transaction raises ``Cancelled``, which
tells by name which action's condition failed and, for actions that asked for it, the item that made it fail
(``ReturnValuesOnConditionCheckFailure``), so a caller needs no read to learn why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mobie_hub.core import stream_images
from mobie_hub.core.dynamodb import dynamodb_resource
from mobie_hub.core.settings import get_settings


@dataclass
class Action:
    """One Put, Update, Delete or ConditionCheck of a transaction, named so that a cancelled
    transaction says which conditions failed by name (``"receipt"``, ``"session"``), not by position."""

    name: str  # unique within its transaction
    kind: str  # Put | Update | Delete | ConditionCheck
    table: str  # table key, e.g. "stations"
    body: dict[str, Any] = field(default_factory=dict)


def put(
    table: str,
    item: dict[str, Any],
    condition: str | None = None,
    *,
    name: str,
    return_old: bool = False,
    **expression: Any,
) -> Action:
    body: dict[str, Any] = {"Item": item, **expression}
    if condition:
        body["ConditionExpression"] = condition
    if return_old:
        body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return Action(name, "Put", table, body)


def update(
    table: str,
    key: dict[str, Any],
    expression: str,
    condition: str | None = None,
    *,
    name: str,
    return_old: bool = False,
    **expression_values: Any,
) -> Action:
    body: dict[str, Any] = {"Key": key, "UpdateExpression": expression, **expression_values}
    if condition:
        body["ConditionExpression"] = condition
    if return_old:
        body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return Action(name, "Update", table, body)


def condition_check(table: str, key: dict[str, Any], condition: str, *, name: str, **expression: Any) -> Action:
    return Action(name, "ConditionCheck", table, {"Key": key, "ConditionExpression": condition, **expression})


CONDITION_FAILED = "ConditionalCheckFailed"


class Cancelled(Exception):
    """The transaction was cancelled. Per action name: its reason code (``None`` when it was fine,
    ``ConditionalCheckFailed``, ``TransactionConflict``, …) and, for actions that asked for it, the
    item it found."""

    def __init__(self, codes: dict[str, str | None], items: dict[str, dict[str, Any] | None]) -> None:
        super().__init__(f"transaction cancelled: {codes}")
        self.codes = codes
        self.items = items

    @property
    def failed(self) -> frozenset[str]:
        """The names of the actions whose condition failed."""
        return frozenset(name for name, code in self.codes.items() if code == CONDITION_FAILED)

    def condition_failed(self, name: str) -> bool:
        """Whether the action ``name`` failed its condition; a name not in the transaction is a bug."""
        if name not in self.codes:
            raise KeyError(f"no action {name!r} in this transaction: {sorted(self.codes)}")
        return self.codes[name] == CONDITION_FAILED

    def item(self, name: str) -> dict[str, Any] | None:
        """The item that made action ``name`` fail (``return_old=True``), as Python values."""
        if name not in self.items:
            raise KeyError(f"no action {name!r} in this transaction: {sorted(self.items)}")
        return self.items[name]

    @property
    def conflict(self) -> bool:
        """Another transaction was writing one of the items: safe to retry."""
        return "TransactionConflict" in self.codes.values()


def write(actions: list[Action]) -> None:
    """One TransactWriteItems call (at most 100 actions, one per item; names unique).

    The resource's client serialises Python values itself (boto3's transformation hooks), so the
    actions go as they are; only the items of cancellation reasons come back in the low-level shape.
    """
    names = [a.name for a in actions]
    if len(set(names)) != len(names):
        raise ValueError(f"transaction action names must be unique: {names}")
    tables = get_settings().tables
    client = dynamodb_resource().meta.client
    try:
        client.transact_write_items(
            TransactItems=[{a.kind: {**a.body, "TableName": tables[a.table]}} for a in actions]
        )
    except client.exceptions.TransactionCanceledException as exc:
        # One reason per action, in the order sent (DynamoDB's CancellationReasons).
        reasons = exc.response.get("CancellationReasons") or [{} for _ in actions]
        codes = {n: None if r.get("Code") in (None, "None") else r["Code"] for n, r in zip(names, reasons)}
        items = {n: stream_images.plain(r["Item"]) if r.get("Item") else None for n, r in zip(names, reasons)}
        raise Cancelled(codes, items) from exc
