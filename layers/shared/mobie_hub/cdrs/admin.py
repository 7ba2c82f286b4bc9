"""``mobie-hub cdrs undelivered``: the CDRs an EMSP has not accepted yet (docs/operations.md
"Undelivered CDRs"): those whose bounded retries are exhausted (FAILED) first, then those still being
retried (PENDING), each with its attempts and the EMSP's last answer. ``mobie-hub cdrs redeliver
CDR_ID``: once the cause is settled, a new round of attempts, the first at the next sweep."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from mobie_hub.admin.registry import operation
from mobie_hub.cdrs import delivery
from mobie_hub.core.errors import NotFound
from mobie_hub.core.types import utcnow


@operation("cdrs.undelivered")
def undelivered(payload: dict[str, Any]) -> dict[str, Any]:
    rows = [d.as_json() for d in delivery.undelivered()]
    return {"count": len(rows), "deliveries": rows}


class RedeliverRequest(BaseModel):
    """The ``cdrs.redeliver`` payload."""

    cdr_id: str = Field(min_length=1, max_length=39, description="the CDR's id")


@operation("cdrs.redeliver")
def redeliver(payload: dict[str, Any]) -> dict[str, Any]:
    request = RedeliverRequest.model_validate(payload)
    again = delivery.redeliver(request.cdr_id, utcnow())
    if not again:
        raise NotFound(
            f"CDR {request.cdr_id} has no undelivered delivery (unknown, or every EMSP accepted it)"
        )
    return {
        "cdr_id": request.cdr_id,
        "parties": [d.party for d in again],
        "next_attempt_at": again[0].next_attempt_at,
    }
