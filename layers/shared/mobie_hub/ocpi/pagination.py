"""OCPI pagination over HTTP (transport_and_format §4.1.5 and §4.1.6): offset/limit and date filters
read from the query, the Link, X-Total-Count and X-Limit headers written. The paging values
themselves (``PageRequest``, ``Page``) live in ``mobie_hub.core.paging``, free of FastAPI, for the
repositories and the Lambdas that page without HTTP.

``date_from`` is inclusive and ``date_to`` exclusive; ``X-Limit`` is the server's maximum; ``Link`` is
sent only when a next page exists, built from the configured public URL (not the Host header, which
is API Gateway's behind a custom domain).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from pydantic import ValidationError

from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.paging import Page, PageRequest
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import format_datetime, parse_datetime
from mobie_hub.ocpi.envelope import OcpiResponse, ocpi_response

__all__ = ["Page", "PageRequest", "next_link", "page_request", "paginated_response"]


def _int_param(request: Request, name: str, default: int, minimum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequest("must be a whole number", field=name) from None
    if value < minimum:
        raise InvalidRequest(f"must be at least {minimum}", field=name)
    return value


def _date_param(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return parse_datetime(raw)
    except ValidationError:
        raise InvalidRequest("must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z", field=name) from None


def page_request(request: Request) -> PageRequest:
    """FastAPI dependency: the validated pagination parameters of a list request."""
    maximum = get_settings().max_page_limit
    offset = _int_param(request, "offset", 0, 0)
    limit = min(_int_param(request, "limit", maximum, 1), maximum)
    date_from, date_to = _date_param(request, "date_from"), _date_param(request, "date_to")
    if date_from and date_to and date_from >= date_to:
        raise InvalidRequest("date_from must be before date_to", field="date_from")
    return PageRequest(offset, limit, date_from, date_to, request.query_params.get("cursor") or None)


def next_link(request: Request, page_request: PageRequest, page: Page[Any]) -> str | None:
    """The ``Link`` header value for the next page, or None on the last page."""
    next_offset = page_request.offset + len(page.items)
    if next_offset >= page.total or not page.items:
        return None
    params = {"offset": next_offset, "limit": page_request.limit}
    if page_request.date_from:
        params["date_from"] = format_datetime(page_request.date_from)
    if page_request.date_to:
        params["date_to"] = format_datetime(page_request.date_to)
    if page.next_cursor:
        params["cursor"] = page.next_cursor
    url = f"{get_settings().public_url}{request.url.path}?{urlencode(params)}"
    return f'<{url}>; rel="next"'


def paginated_response(request: Request, page_request: PageRequest, page: Page[Any]) -> OcpiResponse:
    """The envelope for a list page with X-Total-Count, X-Limit and (if any) Link."""
    headers = {"X-Total-Count": str(page.total), "X-Limit": str(get_settings().max_page_limit)}
    link = next_link(request, page_request, page)
    if link:
        headers["Link"] = link
    return ocpi_response(page.items, headers=headers)
