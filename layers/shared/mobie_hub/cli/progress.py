"""Progress of a long admin operation on the operator's terminal (issue #15 item 4).

An admin operation is one call (``POST /admin/{operation}`` locally, one Lambda invocation in AWS) that
answers when it is done: importing thousands of locations or tariffs, pulling an EMSP's whole token
list. While it runs, the terminal shows what it is doing, on how many objects, and for how long. Only
on a terminal: with ``--json`` or when stderr is not a terminal (a script, a pipe) nothing is written,
so the one JSON object on stdout stays the whole output. Written to stderr and cleared at the end.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


def shown(quiet: bool, stream: TextIO) -> bool:
    return not quiet and stream.isatty()


@contextmanager
def working(description: str, *, quiet: bool = False, stream: TextIO | None = None) -> Iterator[None]:
    """A spinner, ``description`` and the time elapsed while the block runs (a terminal only)."""
    stream = stream or sys.stderr
    if not shown(quiet, stream):
        yield
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=stream), transient=True) as progress:
        progress.add_task(description, total=None)
        yield


def counted(objects: object, kind: str) -> str:
    """'4,812 locations' (or the kind alone for what is not a list: the hub will say what is wrong)."""
    return f"{len(objects):,} {kind}" if isinstance(objects, list) else kind
