"""OCPI paging as values (transport_and_format §4.1.5): what a list request asked for and one page
of what it gets, without HTTP. Repositories and logic page with these; ``mobie_hub.ocpi.pagination``
reads them from a request's query and writes the ``Link`` / ``X-Total-Count`` / ``X-Limit`` headers.

``date_from`` is inclusive and ``date_to`` exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """What the client asked for, validated. ``limit`` is already capped at the server maximum."""

    offset: int
    limit: int
    date_from: datetime | None = None
    date_to: datetime | None = None
    cursor: str | None = None  # opaque continuation written into Link by the hub itself

    def matches(self, last_updated: datetime) -> bool:
        """date_from <= last_updated < date_to."""
        return (self.date_from is None or last_updated >= self.date_from) and (
            self.date_to is None or last_updated < self.date_to
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results, the total behind all pages, and an optional cursor to the next page."""

    items: list[T]
    total: int
    next_cursor: str | None = field(default=None)
