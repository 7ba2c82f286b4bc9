"""``mobie-hub audit``: the admin operation ``audit.find`` (locally the embedded store, in AWS Athena)."""

from __future__ import annotations

from typing import Any

from mobie_hub.admin.registry import operation
from mobie_hub.audit import runtime
from mobie_hub.audit.record import AuditQuery
from mobie_hub.core.errors import InvalidRequest


@operation("audit.find")
def audit_find(payload: dict[str, Any]) -> dict[str, Any]:
    query = AuditQuery.model_validate(payload)
    if query.since and query.until and query.since > query.until:
        raise InvalidRequest("since must not be after until", field="since")
    found = runtime.finder().find(query)
    return {
        "count": len(found.records),
        "records": [
            record.model_dump(mode="json", exclude_none=True, exclude={"audit"}) for record in found.records
        ],
        "skipped_lines": found.skipped_lines,
    }
