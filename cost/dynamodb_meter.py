"""What a DynamoDB call costs, from the items it touched: read and write units per table and per index,
and storage bytes, by AWS's rules (``cost.capacity``; moto's ReturnConsumedCapacity is a constant).

The ``Recorder`` hands each call of the hub's client to the meter: ``before`` (the request, and the
items a write is about to change, read back) and ``after`` (the answer, and the items as the write
left them). The items are read through a second client, not hooked, so the meter's reads are not
the hub's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from cost import capacity
from mobie_hub.core.tables import TABLES_BY_KEY

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
READS = {"GetItem", "BatchGetItem", "TransactGetItems", "Query", "Scan"}

Pending = dict[str, Any]  # what ``before`` learnt of a call, for ``after``


class DynamoDBMeter:
    def __init__(self, table_names: dict[str, str], add: Callable[[str, float], None]) -> None:
        self._tables = {name: TABLES_BY_KEY[key] for key, name in table_names.items()}
        self._add = add
        self._reader: Any = None
        self._reader_factory: Callable[[], Any] | None = None

    def read_through(self, reader_factory: Callable[[], Any]) -> None:
        """The client the items are read back with (made on first use, then kept)."""
        self._reader_factory = reader_factory

    def before(self, operation: str, request: dict) -> Pending:
        """Count the call; for a write, read the items it is about to change."""
        self._add(f"ddb.calls|{operation}", 1)
        pending: Pending = {"operation": operation, "request": request}
        if operation in WRITES:
            pending["old"] = [
                (table, key, transactional, check, self._get(table, key))
                for table, key, transactional, check in self._writes_of(operation, request)
            ]
        return pending

    def after(self, pending: Pending, http_response: Any) -> None:
        """The call's units (and a write's storage), from its answer and the items as it left them."""
        operation, request = pending["operation"], pending["request"]
        succeeded = http_response.status_code < 300
        if operation in WRITES:
            self._writes(pending["old"], succeeded)
        elif operation in READS:
            answer = json.loads(http_response.content or b"{}") if succeeded else {}
            self._reads(operation, request, answer)

    def _reader_client(self) -> Any:
        if self._reader is None:
            self._reader = self._reader_factory()
        return self._reader

    def _get(self, table_name: str, key: dict) -> dict | None:
        return self._reader_client().get_item(TableName=table_name, Key=key, ConsistentRead=True).get("Item")

    def _key(self, table_name: str, item: dict) -> dict:
        spec = self._tables[table_name]
        return {spec.partition_key: item[spec.partition_key], spec.sort_key: item[spec.sort_key]}

    def _writes_of(self, operation: str, request: dict) -> list[tuple[str, dict, bool, bool]]:
        """(table name, key, transactional, condition check only) of each item a write touches."""
        if operation == "PutItem":
            return [(request["TableName"], self._key(request["TableName"], request["Item"]), False, False)]
        if operation in ("UpdateItem", "DeleteItem"):
            return [(request["TableName"], request["Key"], False, False)]
        if operation == "BatchWriteItem":
            return [
                (name, self._key(name, r["PutRequest"]["Item"]) if "PutRequest" in r else r["DeleteRequest"]["Key"],
                 False, False)
                for name, requests in request["RequestItems"].items()
                for r in requests
            ]
        touched = []
        for action in request["TransactItems"]:
            (kind, detail), = action.items()
            key = self._key(detail["TableName"], detail["Item"]) if kind == "Put" else detail["Key"]
            touched.append((detail["TableName"], key, True, kind == "ConditionCheck"))
        return touched

    def _writes(self, touched: list[tuple[str, dict, bool, bool, dict | None]], succeeded: bool) -> None:
        for table, key, transactional, check, old in touched:
            spec = self._tables[table]
            if check or not succeeded:  # a condition check, or a refused write: the item's size
                factor = 2 if transactional else 1
                self._add(f"ddb.wru|{spec.key}", factor * max(1, -(-capacity.item_size(old) // capacity.KB)))
                continue
            new = self._get(table, key)
            units = capacity.write_units(spec, old, new, transactional=transactional)
            for where, quantity in units.write.items():
                self._add(f"ddb.wru|{where}", quantity)
            # bytes that expire (the table's TTL set on the item) are kept apart, by months to live
            expiry = (new or {}).get(spec.ttl_attribute or "", {}).get("N")
            kind = "ddb.storage" if expiry is None else "ddb.expiring"
            lives = "" if expiry is None else f"|{max(0.0, (float(expiry) - time.time()) / 86_400 / 30.4):.0f}"
            for where, quantity in units.storage.items():
                self._add(f"{kind}|{where}{lives}", quantity)

    def _reads(self, operation: str, request: dict, answer: dict) -> None:
        if operation == "GetItem":
            spec = self._tables[request["TableName"]]
            size = capacity.item_size(self._get(request["TableName"], request["Key"]))
            self._add(f"ddb.rru|{spec.key}", capacity.read_units([size], consistent=bool(request.get("ConsistentRead"))))
        elif operation in ("BatchGetItem", "TransactGetItems"):
            wanted = (
                [(name, key, bool(r.get("ConsistentRead"))) for name, r in request["RequestItems"].items() for key in r["Keys"]]
                if operation == "BatchGetItem"
                else [(g["Get"]["TableName"], g["Get"]["Key"], True) for g in request["TransactItems"]]
            )
            for name, key, consistent in wanted:
                size = capacity.item_size(self._get(name, key))
                units = capacity.read_units(
                    [size], consistent=consistent, transactional=operation == "TransactGetItems", rounded_once=False
                )
                self._add(f"ddb.rru|{self._tables[name].key}", units)
        else:  # Query, Scan: the items read, full size (a projection does not reduce what is read)
            name, index = request["TableName"], request.get("IndexName")
            spec = self._tables[name]
            sizes = []
            for returned in answer.get("Items", []):
                full = self._get(name, self._key(name, returned)) if spec.partition_key in returned else returned
                entry = capacity.index_entry(spec, index, full) if index else full
                sizes.append(capacity.item_size(entry))
            skipped = answer.get("ScannedCount", len(sizes)) - answer.get("Count", len(sizes))
            if skipped > 0 and sizes:
                sizes.extend([sum(sizes) // len(sizes)] * skipped)
            where = f"{spec.key}/{index}" if index else spec.key
            self._add(f"ddb.rru|{where}", capacity.read_units(sizes, consistent=bool(request.get("ConsistentRead"))))


def raw_client(hub_client: Any) -> Any:
    """A plain DynamoDB client beside the hub's (same region and endpoint), without the hooks."""
    import boto3

    return boto3.client(
        "dynamodb", region_name=hub_client.meta.region_name, endpoint_url=hub_client.meta.endpoint_url
    )
