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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.awsrequest import AWSResponse

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
