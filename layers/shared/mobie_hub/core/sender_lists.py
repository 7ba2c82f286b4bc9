"""List requests of the hub's sender interfaces (Locations, Tariffs): rate limit, cache, one query.

Profile §6: per requesting party at most one *full* Locations list per window. Every unfiltered list
request (no ``date_from`` / ``date_to``) counts as a new full list, whatever its ``offset``, unless it
continues the walk the hub itself linked for this party: the cursor the hub writes into ``Link`` on
such a walk is signed (HMAC-SHA256) with a secret stored in the party's rate window when the walk
opened, over the list, the party, the offset it is valid at and the position. So a bare offset, a
forged cursor, another party's cursor or one from an earlier walk (a new window holds a new secret,
and the secret is only read while its window is open) all open a new full list (or get 429). Within
its window a walk's pages may be fetched again (a retry after a lost answer is normal).

List pages are cached for a minute. The cache is shared by all parties — a page is the same for every
EMSP — and keyed by everything that shapes the answer, the OCPI version included, and by the
unsigned position only: the signature is added per party on the way out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from mobie_hub.core import ephemeral
from mobie_hub.core.context import Caller
from mobie_hub.core.errors import RateLimited
from mobie_hub.core.models import OcpiModel, dump_ocpi
from mobie_hub.core.paging import Page, PageRequest
from mobie_hub.core.settings import get_settings
from mobie_hub.core.types import format_datetime

_SEAL = "."  # not in the base64url alphabet of the positions core.listing writes


@dataclass(frozen=True)
class SenderList:
    name: str
    fetch: Callable[[PageRequest], Page[OcpiModel]]
    rate_limited: bool = False
    cached: bool = True  # per-party lists (sessions, CDRs) change by the second: not cached


def is_unfiltered(page: PageRequest) -> bool:
    """A list with no date filter: every page of it is part of a full list."""
    return page.date_from is None and page.date_to is None


def _window_key(source: SenderList, caller: Caller) -> str:
    """Per party record: a platform holding two roles (EMSP and CPO) has two parties, two budgets."""
    return f"{caller.party_key}#{source.name}-full"


def _signature(secret: str, source: SenderList, caller: Caller, offset: int, position: str) -> str:
    message = "|".join((source.name, caller.party_key, str(offset), position)).encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _position(cursor: str | None) -> str | None:
    """The position a cursor carries, its signature (if any) dropped."""
    return cursor.partition(_SEAL)[0] or None if cursor else None


def _continued(source: SenderList, caller: Caller, page: PageRequest) -> tuple[str, str | None] | None:
    """(secret, position) when ``page.cursor`` is one the hub wrote into Link for this party's walk
    that is still open, at this offset; else None (then the request is a new full list). The position
    is None when the hub had none to give (the list shrank under the walk: the page is found by offset)."""
    if not page.cursor or _SEAL not in page.cursor:
        return None
    position, _, signature = page.cursor.partition(_SEAL)
    secret = ephemeral.window_secret(_window_key(source, caller))
    if secret is None:
        return None
    expected = _signature(secret, source, caller, page.offset, position)
    return (secret, position or None) if hmac.compare_digest(signature.encode(), expected.encode()) else None


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
    walk_secret: str | None = None  # set on a rate-limited full list: its next cursor gets signed
    if source.rate_limited and is_unfiltered(page) and settings.full_list_interval_seconds:
        continued = _continued(source, caller, page)
        if continued:
            walk_secret, position = continued
            page = replace(page, cursor=position)
        else:
            walk_secret = secrets.token_urlsafe(32)
            retry_after = ephemeral.acquire_window(
                _window_key(source, caller), settings.full_list_interval_seconds, secret=walk_secret
            )
            if retry_after:
                raise RateLimited(
                    f"One full {source.name} list per {settings.full_list_interval_seconds} s per party; "
                    "use date_from for updates, or follow the Link header to continue a walk",
                    retry_after=retry_after,
                )
            page = replace(page, cursor=None)  # a new walk starts from no position the client brought
    else:
        page = replace(page, cursor=_position(page.cursor))  # core.listing checks the position itself
    result = _page(source, page, version, settings.list_cache_seconds if source.cached else 0)
    next_offset = page.offset + len(result.items)
    if walk_secret and result.items and next_offset < result.total:  # the Link of the next page: signed
        position = result.next_cursor or ""
        signature = _signature(walk_secret, source, caller, next_offset, position)
        result = Page(result.items, result.total, f"{position}{_SEAL}{signature}")
    return result


def _page(source: SenderList, page: PageRequest, version: str, cache_seconds: int) -> Page[dict[str, Any]]:
    """The page from the shared cache, or fetched (and cached when ``cache_seconds``)."""
    key = _cache_key(source, page, version)
    if cache_seconds:
        cached = ephemeral.cache_get(key)
        if cached is not None:
            return Page(cached["items"], cached["total"], cached["next_cursor"])
    fetched = source.fetch(page)
    result = Page([dump_ocpi(item, version) for item in fetched.items], fetched.total, fetched.next_cursor)
    if cache_seconds:
        ephemeral.cache_put(
            key, {"items": result.items, "total": result.total, "next_cursor": result.next_cursor},
            cache_seconds,
        )
    return result
