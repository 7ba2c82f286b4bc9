"""Where the deployed audit trail is (set by the CDK on the admin function; infra/constructs/audit.py)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AuditSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOBIE_AUDIT_", extra="ignore")

    athena_workgroup: str | None = None
    athena_database: str | None = None
    athena_table: str = "messages"
    query_timeout_seconds: float = Field(default=60, gt=0)  # below the admin function's timeout
