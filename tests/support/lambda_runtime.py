"""Run Lambda handlers in-process when code under moto invokes them (e.g. moto executing a Step
Functions state machine whose tasks call ``lambda:invoke``).

moto 5 with ``{"lambda": {"use_docker": False}}`` does not run a function's code: its simple backend
echoes the payload back. This helper answers ``Invoke`` calls before they reach moto (botocore's
``before-call`` event on the default boto3 session, which moto's state machine interpreter uses to
build its Lambda client), by calling the real handler with the real payload — so the real ASL runs
against the real handlers. An exception in a handler becomes ``FunctionError: Unhandled``, as in Lambda.

moto runs a Map state's iterations on threads, but its in-memory DynamoDB is not thread-safe
(``TransactWriteItems`` deep-copies tables while another thread writes: "dictionary changed size
during iteration"). Real Lambdas are separate processes against a thread-safe DynamoDB, so the
invocations here run one at a time; the workflow's outcome does not depend on their interleaving.
"""

from __future__ import annotations

import io
import json
import threading
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.awsrequest import AWSResponse

from infra.constants import ROOT
from tests.support.handlers import FakeContext

Handler = Callable[[Any, Any], Any]


def _function_name(url_path: str) -> str:
    name = unquote(url_path).split("/functions/", 1)[1].split("/invocations", 1)[0]
    return name.split(":function:", 1)[1].split(":", 1)[0] if ":function:" in name else name


@contextmanager
def in_process_lambdas(handlers: dict[str, Handler]) -> Iterator[list[tuple[str, Any]]]:
    """While active, ``Invoke`` of a function named in ``handlers`` runs it here. Yields the calls."""
    calls: list[tuple[str, Any]] = []
    one_at_a_time = threading.Lock()

    def invoke(params: dict[str, Any], **_: Any):
        name = _function_name(params["url_path"])
        if name not in handlers:
            return None  # not ours: let moto answer
        event = json.loads(params["body"] or b"null")
        parsed: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
        try:
            with one_at_a_time:
                calls.append((name, event))
                payload = handlers[name](event, FakeContext())
        except Exception as exc:  # noqa: BLE001 - what Lambda reports for an unhandled exception
            payload = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "stackTrace": traceback.format_tb(exc.__traceback__),
            }
            parsed["FunctionError"] = "Unhandled"
        parsed["Payload"] = io.BytesIO(json.dumps(payload).encode())
        return AWSResponse(params.get("url", ""), 200, {}, None), parsed

    events = boto3._get_default_session().events
    events.register("before-call.lambda.Invoke", invoke, unique_id="in-process-lambdas")
    try:
        yield calls
    finally:
        events.unregister("before-call.lambda.Invoke", unique_id="in-process-lambdas")


def state_machine_of(
    definition: str, functions: dict[str, str], machine_type: str = "STANDARD", values: dict[str, str] | None = None,
) -> str:
    """Create, under moto, the state machine ``infra/constructs/<definition>`` with each
    ``${Substitution}`` of ``functions`` naming a placeholder function (whose invocations
    ``in_process_lambdas`` answers), and each of ``values`` (a table name) replaced by its value. An Express workflow's definition is created as a Standard machine: Express executions
    have no DescribeExecution (in AWS), and the states' semantics are the same."""
    import io
    import zipfile

    role = boto3.client("iam").create_role(RoleName="state-machine", AssumeRolePolicyDocument="{}")["Role"][
        "Arn"
    ]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context): pass\n")
    text = (ROOT / "infra" / "constructs" / definition).read_text(encoding="utf-8")
    for substitution, name in functions.items():
        arn = boto3.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": code.getvalue()},
        )["FunctionArn"]
        text = text.replace("${" + substitution + "}", arn)
    for substitution, value in (values or {}).items():
        text = text.replace("${" + substitution + "}", value)
    name = definition.split(".", 1)[0].replace("_", "-")
    return boto3.client("stepfunctions").create_state_machine(
        name=name, definition=text, roleArn=role, type=machine_type
    )["stateMachineArn"]


@contextmanager
def executing_aws() -> Iterator[None]:
    """moto with Step Functions really executing state machines, and the hub's tables."""
    from moto import mock_aws

    from mobie_hub.core.dynamodb import dynamodb_resource
    from mobie_hub.core.schema import ensure_tables

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}):
        ensure_tables(dynamodb_resource().meta.client)
        yield


def execute(
    machine: str, payload: Any, handlers: dict[str, Handler], timeout: float = 60
) -> tuple[Any, list]:
    """Run one execution to its end with ``handlers`` answering its Lambda tasks; (output, calls)."""
    import time

    sfn = boto3.client("stepfunctions")
    with in_process_lambdas(handlers) as calls:
        # Named: moto names every unnamed execution "None", so a second one of a machine would clash
        execution = sfn.start_execution(
            stateMachineArn=machine, name=uuid.uuid4().hex, input=json.dumps(payload)
        )["executionArn"]
        deadline = time.monotonic() + timeout
        while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
            assert time.monotonic() < deadline, "the workflow did not finish"
            time.sleep(0.1)
    assert described["status"] == "SUCCEEDED", described
    return json.loads(described["output"]), calls
