"""``mobie-hub cdrs undelivered``: the CDRs an EMSP has not accepted yet (docs/operations.md
"Undelivered CDRs"): those whose bounded retries are exhausted (FAILED) first, then those still being
retried (PENDING), each with its attempts and the EMSP's last answer."""

from __future__ import annotations

from typing import Any

from mobie_hub.admin.registry import operation
from mobie_hub.cdrs import delivery


@operation("cdrs.undelivered")
def undelivered(payload: dict[str, Any]) -> dict[str, Any]:
    rows = [d.as_json() for d in delivery.undelivered()]
    return {"count": len(rows), "deliveries": rows}
