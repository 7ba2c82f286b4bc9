"""Settings of the commands module (``MOBIE_COMMAND_*``), a small validated part beside the hub's."""

from __future__ import annotations

from functools import cache
from typing import ClassVar

from pydantic import Field

from mobie_hub.core.settings import EnvSettings


class CommandSettings(EnvSettings):
    env_prefix: ClassVar[str] = "MOBIE_COMMAND_"

    # The `timeout` promised in the CommandResponse, in seconds, and the Step Functions wait
    # (TimeoutSeconds) of that command's execution. A remote start waits for StartTransaction.req,
    # which a station sends once the cable is plugged in, so it gets more time than an unlock.
    start_timeout_seconds: int = Field(default=120, ge=1, le=3600)
    stop_timeout_seconds: int = Field(default=60, ge=1, le=3600)
    unlock_timeout_seconds: int = Field(default=30, ge=1, le=3600)
    # The command lifecycle state machine (AWS); absent → the local in-process runner.
    state_machine_arn: str | None = None
    retention_days: int = Field(default=30, ge=1)  # commands table TTL

    def timeout_for(self, command_type: str) -> int:
        return {
            "START_SESSION": self.start_timeout_seconds,
            "STOP_SESSION": self.stop_timeout_seconds,
            "UNLOCK_CONNECTOR": self.unlock_timeout_seconds,
        }[command_type]


@cache
def command_settings() -> CommandSettings:
    return CommandSettings()
