"""The command lifecycle in AWS: one Step Functions Standard execution per command
(infra/constructs/command_lifecycle.asl.json), resumed with SendTaskSuccess."""

from __future__ import annotations

import json
from typing import Any

import boto3

from mobie_hub.commands.ports import CommandWorkflow
from mobie_hub.core.observability import logger


class StepFunctionsWorkflow(CommandWorkflow):
    def __init__(self, state_machine_arn: str, region: str, client: Any = None) -> None:
        self.state_machine_arn = state_machine_arn
        self._client = client or boto3.client("stepfunctions", region_name=region)

    def start(self, command_id: str, timeout_seconds: int) -> None:
        # The execution is named after the command: a repeated start of the same command is refused.
        self._client.start_execution(
            stateMachineArn=self.state_machine_arn,
            name=command_id,
            input=json.dumps({"command_id": command_id, "timeout_seconds": timeout_seconds}),
        )

    def resume(self, task_token: str, command_id: str) -> bool:
        errors = self._client.exceptions
        try:
            self._client.send_task_success(
                taskToken=task_token, output=json.dumps({"command_id": command_id})
            )
        except (errors.TaskTimedOut, errors.TaskDoesNotExist, errors.InvalidToken) as exc:
            logger.info("command wait already over", command_id=command_id, reason=type(exc).__name__)
            return False
        return True
