"""``mobie-hub cdrs credit CDR_ID --reason TEXT``: credit a CDR already billed (``cdrs/credit.py``;
docs/sessions.md "Credit CDRs"). A module of its own beside ``cdrs/admin.py`` (the delivery
operations), so each registers its operations without the other."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from mobie_hub.admin.registry import operation
from mobie_hub.cdrs.credit import credit_cdr
from mobie_hub.core.types import format_datetime


class CreditRequest(BaseModel):
    """The ``cdrs.credit`` payload. The reason's own rules (required, ≤ 255) are ``credit.checked_reason``'s."""

    cdr_id: str = Field(min_length=1, max_length=39, description="the id of the CDR to credit")
    reason: str = Field(description="why; the credit CDR's remark, which the EMSP reads")


@operation("cdrs.credit")
def cdrs_credit(payload: dict[str, Any]) -> dict[str, Any]:
    request = CreditRequest.model_validate(payload)
    credit = credit_cdr(request.cdr_id, request.reason)
    return {
        "credit_id": credit.id,
        "credit_reference_id": credit.credit_reference_id,
        "owner": f"{credit.cdr_token.country_code}/{credit.cdr_token.party_id}",
        "total_cost": {k: str(v) for k, v in credit.total_cost.model_dump(exclude_none=True).items()},
        "last_updated": format_datetime(credit.last_updated),
    }
