"""The command lifecycle's Step Functions tasks (infra/constructs/command_lifecycle.asl.json):

- ``send_step({"command_id", "task_token"})`` — the ``.waitForTaskToken`` task: sends the OCPP call;
  the execution then waits until SendTaskSuccess (``CommandCallResults`` / ``CommandTransactionEvents``
  in the OCPP functions) or its ``TimeoutSeconds`` (the promised timeout) passes.
- ``decide_step({"command_id", "timed_out"})`` — decides the CommandResult and POSTs it.
"""

from __future__ import annotations

from typing import Any

from mobie_hub.commands import lifecycle, runtime
from mobie_hub.commands.delivery import ResultPoster
from mobie_hub.ocpp.send import send_call
from mobie_hub.outbound import OcpiClient


def send_step(event: dict[str, Any]) -> dict[str, Any]:
    lifecycle.send(
        event["command_id"], event["task_token"], workflow=runtime.workflow(), send_call=send_call
    )
    return {"command_id": event["command_id"]}


def decide_step(event: dict[str, Any], client: OcpiClient | None = None) -> dict[str, Any]:
    decision = lifecycle.decide(
        event["command_id"],
        timed_out=bool(event.get("timed_out")),
        sessions=runtime.sessions(),
        deliver=ResultPoster(client),
    )
    if decision is None:
        return {"command_id": event["command_id"], "decided": False}
    return {
        "command_id": event["command_id"],
        "decided": True,
        "result": str(decision.result),
        "message": decision.message,
    }
