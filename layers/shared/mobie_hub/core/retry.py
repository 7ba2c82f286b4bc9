"""Optimistic writes, retried one way across the hub: read, decide, write on the condition that
nothing changed since the read; when the condition fails, read again — at most ``ATTEMPTS`` times.

An attempt raises ``ReadAgain`` to say "my condition failed, start over"; any other outcome (a
value, another error) ends the loop. When every attempt had to read again, ``KeptChanging`` (a
``ConflictingWrite``: OCPI 2001, HTTP 409, a caller may retry later) says which item would not hold
still. The happy path costs exactly one attempt: no extra read or write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, TypeVar

from mobie_hub.core.errors import ConflictingWrite

T = TypeVar("T")

# The one limit: every hand-written loop this replaced tried 3 times (issue #13).
ATTEMPTS = 3


class ReadAgain(Exception):
    """Raised by an attempt: its write's condition failed (someone wrote in between), so read again."""


class KeptChanging(ConflictingWrite):
    """Every attempt had to read again: the item kept changing under the write."""


class Attempt(NamedTuple):
    number: int  # 1 for the first
    last: bool  # no attempt follows this one (e.g. take the path that cannot race)


def optimistic(attempt: Callable[[Attempt], T], *, gave_up: str) -> T:
    """``attempt``'s result, calling it again while it raises ``ReadAgain``; ``KeptChanging(gave_up)``
    after ``ATTEMPTS`` tries."""
    for number in range(1, ATTEMPTS + 1):
        try:
            return attempt(Attempt(number, last=number == ATTEMPTS))
        except ReadAgain:
            continue
    raise KeptChanging(gave_up)
