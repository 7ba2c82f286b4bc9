"""The AWS path around the handlers, as the synthesized stack wires it, run under moto.

After each piece of work ``settle`` follows what AWS would do next, until nothing is left: new
records of the tables' streams → each Pipe's filter → its enrichment Lambda → the envelopes put on
the bus → the rules whose pattern matches → their targets (a Lambda, or a state machine that moto
executes from the template's definition, its tasks answered by the real handlers in-process). The
writes those make produce stream records in turn (a CDR created from a completed session is pushed
by the cdrs table's Pipe), so the loop runs until the streams are quiet.
"""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import boto3

from cost.facts import Pipe, StackFacts, StateMachine
from cost.recorder import Recorder
from mobie_hub.core.settings import get_settings
from tests.support.handlers import lambda_module

# What each state machine log level writes (Step Functions' CloudWatch Logs levels).
_LOGGED = {
    "ALL": lambda event_type: True,
    "ERROR": lambda event_type: event_type.endswith(("Failed", "TimedOut", "Aborted")),
    "FATAL": lambda event_type: event_type in ("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"),
    "OFF": lambda event_type: False,
}
# A log event carries the history event plus the execution ARN, timestamps and ids (~200 bytes).
_LOG_EVENT_ENVELOPE = 200


class Harness:
    def __init__(self, facts: StackFacts, recorder: Recorder) -> None:
        self.facts = facts
        self.recorder = recorder
        self._iterators: dict[str, list[str]] = {}
        self._machines: dict[str, str] = {}
        self.events: list[dict[str, Any]] = []  # every envelope put on the bus (for the report)
        self._clients: dict[str, Any] = {}
        self.unmodeled: set[str] = set()

    def client(self, service: str) -> Any:
        """The harness's own clients (made once: creating a boto3 client costs tens of milliseconds)."""
        if service not in self._clients:
            self._clients[service] = boto3.client(service)
        return self._clients[service]

    # -- Lambda ---------------------------------------------------------------------------------
    def handler(self, service: str) -> Callable[[Any, Any], Any]:
        function = self.facts.functions[service]
        return getattr(lambda_module(function.source), function.handler)

    def invoke(self, service: str, event: Any) -> Any:
        return self.recorder.invoke(service, self.handler(service), event)

    # -- streams --------------------------------------------------------------------------------
    def start_streams(self) -> None:
        """Skip what the streams hold so far (the fixtures' writes); import every handler (as a warm
        Lambda has)."""
        for service in self.facts.functions:
            self.handler(service)
        for pipe in self.facts.pipes:
            self._iterators[pipe.table] = [self._read(iterator)[1] for iterator in self._shard_iterators(pipe.table)]

    def _shard_iterators(self, table_key: str) -> list[str]:
        streams = self.client("dynamodbstreams")
        name = get_settings().tables[table_key]
        arn = self.client("dynamodb").describe_table(TableName=name)["Table"]["LatestStreamArn"]
        shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        return [
            streams.get_shard_iterator(StreamArn=arn, ShardId=s["ShardId"], ShardIteratorType="TRIM_HORIZON")[
                "ShardIterator"
            ]
            for s in shards
        ]

    def _read(self, iterator: str) -> tuple[list[dict], str]:
        records: list[dict] = []
        streams = self.client("dynamodbstreams")
        while True:
            answer = streams.get_records(ShardIterator=iterator)
            records.extend(answer["Records"])
            iterator = answer["NextShardIterator"]
            if not answer["Records"]:
                return records, iterator

    def settle(self) -> None:
        """Follow the stream records the work so far produced through Pipes, bus and targets."""
        for _ in range(20):  # a push cannot cause pushes forever; 20 rounds is far more than any path
            records = []
            for pipe in self.facts.pipes:
                fresh = []
                for n, iterator in enumerate(self._iterators[pipe.table]):
                    got, self._iterators[pipe.table][n] = self._read(iterator)
                    fresh.extend(got)
                self.recorder.add(f"stream.records|{pipe.table}", len(fresh))
                records.extend((pipe, record) for record in fresh)
            entries, self.recorder.bus[:] = list(self.recorder.bus), []
            if not records and not entries:
                return
            for pipe, record in records:
                self._pipe(pipe, record)
            for entry in entries:  # put by the code itself: already counted, delivered to the rules here
                self.deliver({
                    "version": "0", "detail-type": entry.get("DetailType"), "source": entry.get("Source"),
                    "detail": json.loads(entry.get("Detail") or "{}"),
                })
        raise RuntimeError("the event path did not settle after 20 rounds")

    def _pipe(self, pipe: Pipe, record: dict) -> None:
        if not pipe.passes(record):
            return  # filtered out by the Pipe: not billed
        self.recorder.add(f"pipes.requests|{pipe.table}")
        payload = json.loads(json.dumps([record], default=str))  # what the Pipe sends: JSON
        envelopes = self.invoke(pipe.enrichment, payload) if pipe.enrichment else payload
        for envelope in envelopes:
            self.put_event(pipe, envelope)

    # -- bus ------------------------------------------------------------------------------------
    def put_event(self, pipe: Pipe, envelope: dict[str, Any]) -> None:
        """An envelope the Pipe puts on the bus (source and detail type: the Pipe's target parameters)."""
        event = {"version": "0", "detail-type": pipe.detail_type, "source": pipe.source, "detail": envelope}
        self.recorder.add("events.put", max(1, -(-len(json.dumps(event)) // (64 * 1024))))
        self.deliver(event)

    def deliver(self, event: dict[str, Any]) -> None:
        """An event on the bus, to the targets of every rule it matches."""
        self.events.append(event["detail"])
        for rule in self.facts.rules:
            if not rule.matches(event):
                continue
            self.recorder.add("events.deliveries")
            for kind, target in rule.targets:
                if kind == "function":
                    self.invoke(target, event)
                elif kind == "state_machine":
                    self.execute(self.facts.state_machines[target], event)
                else:  # a target kind the harness cannot run: said in the report, not silently free
                    self.unmodeled.add(target)

    # -- Step Functions -------------------------------------------------------------------------
    def machine_arn(self, machine: StateMachine) -> str:
        if machine.logical_id not in self._machines:
            iam = self.client("iam")
            role = iam.create_role(RoleName=f"cost-{machine.logical_id}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
            code = io.BytesIO()
            with zipfile.ZipFile(code, "w") as archive:
                archive.writestr("handler.py", "def handler(event, context): pass\n")
            text = machine.definition
            for substitution, service in machine.substitutions.items():
                name = f"cost-{service}"
                lambdas = self.client("lambda")
                try:
                    arn = lambdas.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
                except lambdas.exceptions.ResourceNotFoundException:
                    arn = lambdas.create_function(
                        FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler",
                        Code={"ZipFile": code.getvalue()},
                    )["FunctionArn"]
                text = text.replace("${" + substitution + "}", arn)
            self._machines[machine.logical_id] = self.client("stepfunctions").create_state_machine(
                name=f"cost-{machine.logical_id}", definition=text, roleArn=role, type="STANDARD"
            )["stateMachineArn"]
        return self._machines[machine.logical_id]

    def tasks(self, machine: StateMachine) -> dict[str, Callable[[Any, Any], Any]]:
        """The machine's Lambda tasks, answered in-process by the real handlers (recorded)."""
        kind = "express" if machine.express else "standard"

        def task(service: str) -> Callable[[Any, Any], Any]:
            def run(event: Any, context: Any) -> Any:
                self.recorder.add(f"sfn.{kind}.tasks|{machine.logical_id}|{service}")
                return self.invoke(service, event)

            return run

        return {f"cost-{service}": task(service) for service in machine.substitutions.values()}

    def account(self, machine: StateMachine, execution: str) -> None:
        """An execution's request, state transitions and the bytes its log level writes (the history
        events as CloudWatch Logs receives them)."""
        kind = "express" if machine.express else "standard"
        history = self.client("stepfunctions").get_execution_history(executionArn=execution)["events"]
        self.recorder.add(f"sfn.{kind}.requests|{machine.logical_id}")
        self.recorder.add(
            f"sfn.{kind}.transitions|{machine.logical_id}", sum(e["type"].endswith("StateEntered") for e in history)
        )
        logged = 0
        for event in history:
            if not _LOGGED[machine.log_level](event["type"]):
                continue
            shown = {k: v for k, v in event.items() if k not in ("timestamp", "id", "previousEventId")}
            if not machine.include_data:
                shown = json.loads(json.dumps(shown, default=str))
                for details in shown.values():
                    if isinstance(details, dict):
                        for field in ("input", "output", "parameters", "result", "error", "cause"):
                            details.pop(field, None)
            logged += len(json.dumps(shown, default=str)) + _LOG_EVENT_ENVELOPE
        self.recorder.add(f"sfn.logs|{machine.logical_id}", logged)

    def finished(self, machine: StateMachine, execution: str, timeout: float = 60) -> dict[str, Any]:
        """The execution, once it ended."""
        deadline = time.monotonic() + timeout
        while (described := self.client("stepfunctions").describe_execution(executionArn=execution))[
            "status"
        ] == "RUNNING":
            if time.monotonic() > deadline:
                raise RuntimeError(f"{machine.logical_id} did not finish")
            time.sleep(0.02)
        return described

    def execute(self, machine: StateMachine, payload: Any, timeout: float = 60) -> dict[str, Any]:
        """One execution to its end, its Lambda tasks run by the real handlers (recorded); records
        the requests, state transitions and the log bytes the machine's log level writes."""
        from tests.support.lambda_runtime import in_process_lambdas

        handlers = self.tasks(machine)
        sfn = self.client("stepfunctions")
        with in_process_lambdas(handlers):
            execution = sfn.start_execution(
                stateMachineArn=self.machine_arn(machine), name=uuid.uuid4().hex, input=json.dumps(payload)
            )[
                "executionArn"
            ]
            described = self.finished(machine, execution, timeout)
        self.account(machine, execution)
        if described["status"] != "SUCCEEDED":
            raise RuntimeError(f"{machine.logical_id} ended {described['status']}: {described.get('error')}")
        return json.loads(described.get("output") or "null")
