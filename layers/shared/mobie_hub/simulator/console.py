"""The prompt of a simulated party (``simulate emsp``, ``simulate cpo``): commands typed on standard
input, one a line, while the party keeps serving the hub's calls and printing them.

An interactive prompt rather than sub-commands: the party must stay up to receive what the hub
sends after a command, and a script drives it the same way through a pipe. End of input keeps it
running (a background process); Ctrl-C, SIGTERM or ``quit`` end it (its ``running`` context then
unregisters it).
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

from mobie_hub.simulator.party import PartyError, SimulatedParty


@dataclass(frozen=True)
class Command:
    """A typed command: ``run(*words)`` with ``min_args`` to ``max_args`` words after its name."""

    run: Callable[..., Awaitable[Any]]
    min_args: int = 0
    max_args: int = 0


P = TypeVar("P", bound=SimulatedParty)


def _feed_lines(loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]) -> None:
    """Standard input, line by line, into the loop's queue (None at its end); a daemon thread, so a
    blocked read never holds the process at exit."""
    with contextlib.suppress(RuntimeError):  # the loop closed first
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, None)


async def execute(party: SimulatedParty, commands: dict[str, Command], usage: str, line: str) -> bool:
    """Run one typed command; False when it asks to quit. Problems become ``error`` events."""
    say = party.timeline.say
    try:
        words = shlex.split(line)
    except ValueError as exc:
        say(party.label, "", "error", f"cannot read the command: {exc}")
        return True
    if not words:
        return True
    name, args = words[0].lower(), words[1:]
    if name in ("quit", "exit"):
        return False
    command = commands.get(name)
    try:
        if name == "help":
            say(party.label, "", "usage", usage)
        elif command is not None and command.min_args <= len(args) <= command.max_args:
            await command.run(*args)
        else:
            say(party.label, "", "usage", f"not a command: {line.strip()!r}; {usage}")
    except PartyError as exc:
        say(party.label, "", "error", str(exc))
    return True


async def run_prompt(
    running: AbstractAsyncContextManager[P],
    prepare: Callable[[P], Awaitable[Any]],
    commands: Callable[[P], dict[str, Command]],
    usage: str,
) -> int:
    """Start the party, ``prepare`` it (register, push what it pushes), then run typed commands until
    ``quit``, Ctrl-C or SIGTERM. 0 when stopped; 1 when ``prepare`` failed (the reason printed)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    async with running as party:
        try:
            await prepare(party)
        except PartyError as exc:
            party.timeline.say(party.label, "", "error", str(exc))
            return 1
        party.timeline.say(party.label, "", "ready", f"type a command: {usage}")
        typed = commands(party)
        threading.Thread(target=_feed_lines, args=(loop, lines), name="stdin", daemon=True).start()
        stopped = asyncio.ensure_future(stop.wait())
        while not stop.is_set():
            next_line = asyncio.ensure_future(lines.get())
            await asyncio.wait({next_line, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not next_line.done():
                next_line.cancel()
                break
            line = next_line.result()
            if line is None:  # end of input: keep serving until a signal
                await stopped
                break
            if not await execute(party, typed, usage, line):
                break
        stopped.cancel()
    return 0
