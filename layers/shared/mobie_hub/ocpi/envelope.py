"""The OCPI response envelope (transport_and_format §4.1.7): every answer, success or error, in it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from mobie_hub.core.context import ocpi_version
from mobie_hub.core.types import format_datetime, utcnow
from mobie_hub.ocpi.status import OcpiStatus


def envelope(data: Any = None, *, status_code: int = OcpiStatus.SUCCESS, message: str | None = None) -> dict:
    """Build the envelope dict. ``data`` may hold pydantic models; they are dumped as OCPI JSON."""
    body: dict[str, Any] = {"status_code": int(status_code)}
    if data is not None:
        body["data"] = data
    body["status_message"] = message or ("Success" if status_code == OcpiStatus.SUCCESS else None)
    body["timestamp"] = format_datetime(utcnow())
    if body["status_message"] is None:
        del body["status_message"]
    return body


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        # Dump in the shape of the OCPI version the request came in on (2.2 vs 2.2.1 differences).
        return value.model_dump(mode="json", exclude_none=True, context={"ocpi_version": str(ocpi_version.get())})
    if isinstance(value, datetime):
        return format_datetime(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class OcpiResponse(JSONResponse):
    """JSON response that dumps pydantic models and datetimes the OCPI way (``Z``, no nulls)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, default=_default, ensure_ascii=False, separators=(",", ":")).encode()


def ocpi_response(
    data: Any = None,
    *,
    status_code: int = OcpiStatus.SUCCESS,
    message: str | None = None,
    http_status: int = 200,
    headers: dict[str, str] | None = None,
) -> OcpiResponse:
    """An HTTP response carrying the OCPI envelope."""
    return OcpiResponse(
        envelope(data, status_code=status_code, message=message), status_code=http_status, headers=headers
    )
