"""Running the push workflows under moto (tests/integration/events/test_push_*_workflow.py): the
placeholder function names their definitions are created with, and one execution with the real
functions/push handlers answering the tasks in-process (or a stand-in for one of them)."""

from __future__ import annotations

from tests.support.handlers import lambda_module
from tests.support.lambda_runtime import Handler, execute

RECIPIENTS, PUSH, OWNER = "mobie-hub-push-recipients", "mobie-hub-push", "mobie-hub-owner-push"


def run(
    machine: str, event: dict, push: Handler | None = None, recipients: Handler | None = None
) -> tuple[dict, list]:
    """(output, calls) of one execution of ``machine``; ``push`` answers the push task (Location batch or
    owner push) and ``recipients`` the recipients task instead of the real handlers."""
    module = lambda_module("push")
    return execute(machine, event, {RECIPIENTS: recipients or module.recipients, PUSH: push or module.push,
                                    OWNER: push or module.owner})


def bus_event(envelope) -> dict:
    return {"detail-type": "DomainEvent", "source": "mobie-hub", "detail": envelope.as_json()}
