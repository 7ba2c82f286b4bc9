"""Key formats shared by the repositories (see docs/dynamodb.md)."""

from __future__ import annotations

from datetime import datetime, timezone


def sortable_time(value: datetime) -> str:
    """Fixed-width UTC with milliseconds, so string order is time order in sort keys."""
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def time_range_bounds(date_from: datetime | None, date_to: datetime | None) -> tuple[str, str]:
    """Sort-key bounds for ``<time>#<id>`` keys: date_from inclusive, date_to exclusive.

    ``#`` sorts before every character of an id, and ``$`` right after ``#``, so ``<to>#`` .. excludes
    every key at ``date_to`` while ``<from>#`` includes every key at ``date_from``.
    """
    low = f"{sortable_time(date_from)}#" if date_from else "0"
    high = f"{sortable_time(date_to)}#" if date_to else "9"
    return low, high
