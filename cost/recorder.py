"""What one piece of work costs, recorded while the real code runs under moto.

A ``Usage`` is a counter of billable quantities under flat keys (``"lambda.requests|ocpp_message"``,
``"ddb.wru|sessions/gsi1"`` …), so usages add up and scale. The ``Recorder`` fills the innermost
open usage:

- DynamoDB: a botocore hook on the hub's own client sees every request and its answer, which
  ``cost.dynamodb_meter`` turns into read/write units per table and per index, and storage bytes;
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

from cost.dynamodb_meter import DynamoDBMeter, raw_client
from cost.output import captured_output, split_output

Usage = Counter  # key → quantity; see the module docstring
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
        self._dynamodb = DynamoDBMeter(table_names, self.add)
        self._platform_log_bytes = platform_log_bytes
        self._memory_mb = memory_mb
        self._open: list[Usage] = []
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
        self._dynamodb.read_through(lambda: raw_client(dynamodb_client))
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
        context["cost"] = self._dynamodb.before(model.name, json.loads(params.get("body") or b"{}"))

    def _after(self, http_response: Any, context: dict) -> None:
        pending = context.pop("cost", None)
        if pending is not None and self._open:
            self._dynamodb.after(pending, http_response)
