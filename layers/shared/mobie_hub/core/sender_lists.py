"""List requests of the hub's sender interfaces (Locations, Tariffs): rate limit, cache, one query.

Profile §6: per requesting party at most one *full* Locations list per window (a first page with no
date filter: the pages after it, reached through ``Link``, belong to the same walk), and list pages
cached for a minute. The cache is shared by all parties — a page is the same for every EMSP — and
keyed by everything that shapes the answer, the OCPI version included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mobie_hub.core import ephemeral
from mobie_hub.core.context import Caller
from mobie_hub.core.errors import RateLimited
from mobie_hub.core.models import OcpiModel, dump_ocpi
from mobie_hub.core.paging import Page, PageRequest
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import format_datetime


@dataclass(frozen=True)
class SenderList:
    name: str
    fetch: Callable[[PageRequest], Page[OcpiModel]]
    rate_limited: bool = False
    cached: bool = True  # per-party lists (sessions, CDRs) change by the second: not cached


def is_full_request(page: PageRequest) -> bool:
    return page.offset == 0 and page.cursor is None and page.date_from is None and page.date_to is None


def _cache_key(source: SenderList, page: PageRequest, version: str) -> str:
    parts = [
        source.name, version, str(page.offset), str(page.limit),
        format_datetime(page.date_from) if page.date_from else "", format_datetime(page.date_to) if page.date_to else "",
        page.cursor or "",
    ]
    return "|".join(parts)


def list_page(source: SenderList, caller: Caller, page: PageRequest, version: str) -> Page[dict[str, Any]]:
    """The page to answer with, as OCPI JSON of ``version``."""
    settings = get_settings()
    if source.rate_limited and is_full_request(page) and settings.full_list_interval_seconds:
        retry_after = ephemeral.acquire_window(
            f"{caller.country_code}#{caller.party_id}#{source.name}-full", settings.full_list_interval_seconds
        )
        if retry_after:
            raise RateLimited(
                f"One full {source.name} list per {settings.full_list_interval_seconds} s per party; "
                "use date_from for updates, or follow the Link header to continue a walk",
                retry_after=retry_after,
            )
    key = _cache_key(source, page, version)
    caching = source.cached and bool(settings.list_cache_seconds)
    if caching:
        cached = ephemeral.cache_get(key)
        if cached is not None:
            return Page(cached["items"], cached["total"], cached["next_cursor"])
    fetched = source.fetch(page)
    result = Page([dump_ocpi(item, version) for item in fetched.items], fetched.total, fetched.next_cursor)
    if caching:
        ephemeral.cache_put(
            key, {"items": result.items, "total": result.total, "next_cursor": result.next_cursor},
            settings.list_cache_seconds,
        )
    return result
