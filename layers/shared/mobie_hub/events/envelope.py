"""The one envelope every domain event travels in (EventBridge ``detail``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from mobie_hub.core.types import OcpiDateTime, utcnow

SOURCE = "mobie-hub"
DETAIL_TYPE = "DomainEvent"


class DomainEvent(BaseModel):
    """``event_name`` says what happened; ``event_version`` versions the shape of ``detail``."""

    event_name: str
    event_version: int = 1
    correlation_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: OcpiDateTime = Field(default_factory=utcnow)
    detail: dict[str, Any]

    @classmethod
    def of(cls, name: str, detail: dict[str, Any], occurred_at: datetime | None = None) -> DomainEvent:
        return cls(event_name=name, detail=detail, **({"occurred_at": occurred_at} if occurred_at else {}))

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
