"""The admin operations as a Lambda event handler: ``{"operation": name, "payload": {...}}``."""

from __future__ import annotations

from typing import Any

from mobie_hub.admin.registry import dispatch, error_payload
from mobie_hub.core.errors import HubError


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """``{"ok": true, "result": …}`` or ``{"ok": false, "error": kind, "message": …}``."""
    try:
        return {"ok": True, "result": dispatch(str(event.get("operation", "")), event.get("payload") or {})}
    except HubError as exc:
        return {"ok": False, **error_payload(exc)}
