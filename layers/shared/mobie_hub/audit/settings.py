"""Where the deployed audit trail is (set by the CDK: the delivery stream on every function, the Athena
names on the admin function; infra/constructs/audit.py)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from mobie_hub.core.settings import EnvSettings


class AuditSettings(EnvSettings):
    env_prefix: ClassVar[str] = "MOBIE_AUDIT_"

    stream: str | None = None  # the Firehose delivery stream records go to (None: printed to the log)
    athena_workgroup: str | None = None
    athena_database: str | None = None
    athena_table: str = "messages"
    query_timeout_seconds: float = Field(default=60, gt=0)  # below the admin function's timeout
