"""What one piece of work costs, recorded while the real code runs under moto.

A ``Usage`` is a counter of billable quantities under flat keys (``"lambda.requests|ocpp_message"``,
``"ddb.wru|sessions/gsi1"`` …), so usages add up and scale. The ``Recorder`` fills the innermost
open usage:

- DynamoDB: a botocore hook on the hub's own client sees every request and its answer; the items
  before and after a write are read back through a second client (not hooked), and ``capacity``
  turns them into read/write units per table and per index, and storage bytes;
- other AWS calls (API Gateway Management API, EventBridge, Step Functions, Firehose, SQS): hooks on
  the default boto3 session, which every client the hub creates afterwards copies;
- a Lambda invocation (``invoke``): requests, milliseconds, and every byte the handler wrote to
  stdout/stderr, captured at the file descriptors (what Lambda ships to CloudWatch Logs), split into
  EMF metric documents, audit records and the rest.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from cost import capacity
from cost.output import captured_output, split_output
from mobie_hub.core.tables import TABLES_BY_KEY

Usage = Counter  # key → quantity; see the module docstring

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
READS = {"GetItem", "BatchGetItem", "TransactGetItems", "Query", "Scan"}
OTHER_SERVICES = ("apigatewaymanagementapi", "eventbridge", "sfn", "firehose", "sqs", "cloudwatch-logs")


class LambdaContext:
    """The attributes of a Lambda context the handlers (Powertools) read."""

    def __init__(self, function_name: str, memory_mb: int) -> None:
        self.function_name = function_name
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:eu-west-1:123456789012:function:{function_name}"
        self.aws_request_id = "00000000-0000-4000-8000-000000000000"
        self._deadline = time.monotonic() + 60

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Recorder:
    def __init__(
        self, table_names: dict[str, str], platform_log_bytes: int | dict[str, int], memory_mb: dict[str, int]
    ) -> None:
        self._tables = {name: TABLES_BY_KEY[key] for key, name in table_names.items()}
        self._platform_log_bytes = platform_log_bytes
        self._memory_mb = memory_mb
        self._open: list[Usage] = []
        self._reader: Any = None
        self.timings: dict[str, list[float]] = {}
        self.metrics: set[tuple] = set()
        self.bus: list[dict[str, Any]] = []  # entries the code put on EventBridge itself
        self._local = threading.local()  # is this thread running an invocation?
        self._one_at_a_time = threading.RLock()

    # -- usages ---------------------------------------------------------------------------------
    @contextmanager
    def usage(self) -> Iterator[Usage]:
        """A usage that receives everything recorded inside the block (and then its parent too)."""
        usage: Usage = Counter()
        self._open.append(usage)
        try:
            yield usage
        finally:
            self._open.pop()
            if self._open:
                self._open[-1].update(usage)

    def add(self, key: str, quantity: float = 1) -> None:
        if self._open and quantity:
            self._open[-1][key] += quantity

    # -- Lambda ---------------------------------------------------------------------------------
    def invoke(self, function: str, handler: Callable[[Any, Any], Any], event: Any) -> Any:
        """Run a Lambda handler as one invocation of ``function`` and record it: requests, the
        milliseconds it ran (without the recorder's own bookkeeping), its DynamoDB/AWS/HTTP calls
        (the model adds their network latency) and its output. An exception is recorded and raised
        again (Lambda would report it)."""
        failure: Exception | None = None
        result: Any = None
        # One invocation at a time: a state machine started by one runs its tasks on moto's threads,
        # and two captures of the process's output cannot overlap (each Lambda has its own in AWS).
        with self._one_at_a_time, self.usage() as own:
            depth = getattr(self._local, "depth", 0)
            self._local.depth = depth + 1
            with captured_output() as output:
                outside_before = self._outside()
                start = time.thread_time()
                try:
                    result = handler(event, LambdaContext(function, self._memory_mb.get(function, 512)))
                except Exception as exc:  # noqa: BLE001 - recorded, then raised again below
                    failure = exc
                # the handler's own time: without the recorder's bookkeeping and without the time
                # moto took to answer (the model adds each call's network latency instead)
                elapsed = time.thread_time() - start - (self._outside() - outside_before)
            self._local.depth = depth
            self.timings.setdefault(function, []).append(elapsed * 1000)
            self.add(f"lambda.requests|{function}")
            self.add(f"lambda.ms|{function}", elapsed * 1000)
            calls = {kind: sum(v for k, v in own.items() if k.startswith(kind)) for kind in ("ddb.calls|", "aws.calls|", "http.requests")}
            self.add(f"lambda.ddb_calls|{function}", calls["ddb.calls|"])
            self.add(f"lambda.aws_calls|{function}", calls["aws.calls|"])
            self.add(f"lambda.http_calls|{function}", calls["http.requests"])
            self.add(f"lambda.wru|{function}", sum(v for k, v in own.items() if k.startswith("ddb.wru|")))
            self.add(f"lambda.firehose_bytes|{function}", own["firehose.bytes"])
            self.record_output(function, output[0])
        if failure is not None:
            raise failure
        return result

    def record_output(self, function: str, output: bytes) -> None:
        logs, emf, audit = split_output(output)
        for line in output.splitlines():
            if line.startswith(b"{") and b'"CloudWatchMetrics"' in line:
                self._metrics_of(json.loads(line))
        platform = self._platform_log_bytes
        self.add(f"logs.bytes|{function}", logs + (platform.get(function, 0) if isinstance(platform, dict) else platform))
        self.add(f"logs.emf|{function}", emf)
        self.add(f"logs.audit|{function}", audit)
        if audit:
            self.add(f"audit.batches|{function}")

    def _metrics_of(self, document: dict[str, Any]) -> None:
        """Each distinct (namespace, metric, dimension values) is one custom metric CloudWatch bills."""
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                for dimensions in directive["Dimensions"]:
                    values = tuple((d, str(document.get(d))) for d in dimensions)
                    self.metrics.add((directive["Namespace"], metric["Name"], values))

    # -- hooks ----------------------------------------------------------------------------------
    @contextmanager
    def hooked(self, dynamodb_client: Any, session_events: Any) -> Iterator[None]:
        uid = f"cost-recorder-{id(self)}"
        dynamodb_client.meta.events.register("before-call.dynamodb", self._before_dynamodb, unique_id=uid)
        dynamodb_client.meta.events.register("after-call.dynamodb", self._after_dynamodb, unique_id=f"{uid}-after")
        for service in OTHER_SERVICES:
            session_events.register(f"before-call.{service}", self._other_call, unique_id=f"{uid}-{service}")
            session_events.register(f"after-call.{service}", self._after_any, unique_id=f"{uid}-{service}-after")
        self._reader_factory = lambda: _raw_client(dynamodb_client)
        try:
            yield
        finally:
            dynamodb_client.meta.events.unregister("before-call.dynamodb", unique_id=uid)
            dynamodb_client.meta.events.unregister("after-call.dynamodb", unique_id=f"{uid}-after")
            for service in OTHER_SERVICES:
                session_events.unregister(f"before-call.{service}", unique_id=f"{uid}-{service}")
                session_events.unregister(f"after-call.{service}", unique_id=f"{uid}-{service}-after")

    def _outside(self) -> float:
        """Seconds this thread spent in the recorder's hooks and inside AWS calls (moto), so far."""
        return getattr(self._local, "outside", 0.0)

    def _count_outside(self, seconds: float) -> None:
        self._local.outside = self._outside() + seconds

    def _in_invocation(self) -> bool:
        return bool(self._open) and getattr(self._local, "depth", 0) > 0

    def _other_call(self, model: Any, params: dict, context: dict, **_: Any) -> None:
        if not self._in_invocation():
            return  # the harness's own calls (moto's state machines, stream reads)
        context["cost_call_started"] = time.thread_time()  # from here to the call's end: not the handler's
        service = model.service_model.service_name
        self.add(f"aws.calls|{service}.{model.name}")
        body = params.get("body") or b""
        if service == "apigatewaymanagementapi" and model.name == "PostToConnection":
            self.add("ws.messages_out", max(1, -(-len(body) // (32 * 1024))))
            self.add("ws.bytes_out", len(body))
        elif service == "eventbridge" and model.name == "PutEvents":
            for entry in json.loads(body or b"{}").get("Entries", []):
                self.add("events.put", max(1, -(-len(json.dumps(entry)) // (64 * 1024))))
                self.bus.append(entry)  # the harness delivers it to the rules
        elif service == "firehose":
            request = json.loads(body or b"{}")
            records = request.get("Records") or [request.get("Record", {})]
            self.add("firehose.records", len(records))
            self.add("firehose.bytes", sum(len(r.get("Data", "")) * 3 // 4 for r in records))

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

    def _before_dynamodb(self, model: Any, params: dict, context: dict, **_: Any) -> None:
        if not self._open:
            return
        started = time.thread_time()
        try:
            self._before(model, params, context)
        finally:
            self._count_outside(time.thread_time() - started)
            context["cost_call_started"] = time.thread_time()

    def _after_dynamodb(self, http_response: Any, context: dict, **_: Any) -> None:
        self._after_any(context)
        started = time.thread_time()
        try:
            self._after(http_response, context)  # reads the written items back: moto's time, not the handler's
        finally:
            self._count_outside(time.thread_time() - started)

    def _after_any(self, context: dict, **_: Any) -> None:
        """Every hooked call's end: the time since its start (or since the last hook) was not the handler's."""
        started = context.pop("cost_call_started", None)
        if started is not None:
            self._count_outside(time.thread_time() - started)

    def _before(self, model: Any, params: dict, context: dict) -> None:
        operation = model.name
        self.add(f"ddb.calls|{operation}")
        request = json.loads(params.get("body") or b"{}")
        context["cost"] = {"operation": operation, "request": request}
        if operation in WRITES:
            context["cost"]["old"] = [
                (table, key, transactional, check, self._get(table, key))
                for table, key, transactional, check in self._writes_of(operation, request)
            ]

    def _after(self, http_response: Any, context: dict) -> None:
        pending = context.pop("cost", None)
        if pending is None or not self._open:
            return
        operation, request = pending["operation"], pending["request"]
        succeeded = http_response.status_code < 300
        if operation in WRITES:
            for table, key, transactional, check, old in pending["old"]:
                spec = self._tables[table]
                if check or not succeeded:  # a condition check, or a refused write: the item's size
                    factor = 2 if transactional else 1
                    self.add(f"ddb.wru|{spec.key}", factor * max(1, -(-capacity.item_size(old) // capacity.KB)))
                    continue
                new = self._get(table, key)
                units = capacity.write_units(spec, old, new, transactional=transactional)
                for where, quantity in units.write.items():
                    self.add(f"ddb.wru|{where}", quantity)
                # bytes that expire (the table's TTL set on the item) are kept apart, by months to live
                expiry = (new or {}).get(spec.ttl_attribute or "", {}).get("N")
                kind = "ddb.storage" if expiry is None else "ddb.expiring"
                lives = "" if expiry is None else f"|{max(0.0, (float(expiry) - time.time()) / 86_400 / 30.4):.0f}"
                for where, quantity in units.storage.items():
                    self.add(f"{kind}|{where}{lives}", quantity)
        elif operation in READS:
            answer = json.loads(http_response.content or b"{}") if succeeded else {}
            self._reads(operation, request, answer)

    def _reads(self, operation: str, request: dict, answer: dict) -> None:
        if operation == "GetItem":
            spec = self._tables[request["TableName"]]
            size = capacity.item_size(self._get(request["TableName"], request["Key"]))
            self.add(f"ddb.rru|{spec.key}", capacity.read_units([size], consistent=bool(request.get("ConsistentRead"))))
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
                self.add(f"ddb.rru|{self._tables[name].key}", units)
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
            self.add(f"ddb.rru|{where}", capacity.read_units(sizes, consistent=bool(request.get("ConsistentRead"))))


def _raw_client(hub_client: Any) -> Any:
    """A plain DynamoDB client beside the hub's (same region and endpoint), without the hooks."""
    import boto3

    return boto3.client(
        "dynamodb", region_name=hub_client.meta.region_name, endpoint_url=hub_client.meta.endpoint_url
    )
