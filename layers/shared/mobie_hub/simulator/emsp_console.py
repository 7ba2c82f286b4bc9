"""``mobie-hub simulate emsp``: a simulated EMSP that registers, pushes its tokens, prints every push
it receives in one line, and takes commands typed on its standard input (one a line)::

    start LOCATION_ID [EVSE_UID] [TOKEN_UID]   START_SESSION (default: the first EVSE, the RFID token)
    stop [SESSION_ID]                         STOP_SESSION (default: the last ACTIVE session)
    unlock LOCATION_ID EVSE_UID CONNECTOR_ID  UNLOCK_CONNECTOR
    tokens | sessions                         what it pushed | the sessions it received
    help | quit

An interactive prompt rather than sub-commands: the EMSP must stay up to receive the CommandResult
and the pushes that follow a command, and a script drives it the same way through a pipe.
End of input keeps it running (a background process); Ctrl-C, SIGTERM or ``quit`` unregister it.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import signal
import sys
import threading
from dataclasses import dataclass

from mobie_hub.simulator.emsp import EmspError, EmspOptions, SimulatedEmsp, running_emsp
from mobie_hub.simulator.timeline import Timeline

USAGE = (
    "start LOCATION_ID [EVSE_UID] [TOKEN_UID] | stop [SESSION_ID] | unlock LOCATION_ID EVSE_UID CONNECTOR_ID"
    " | tokens | sessions | help | quit"
)


@dataclass(frozen=True)
class ConsoleOptions:
    emsp: EmspOptions
    as_json: bool = False
    push_tokens: bool = True


def _feed_lines(loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]) -> None:
    """Standard input, line by line, into the loop's queue (None at its end); a daemon thread, so a
    blocked read never holds the process at exit."""
    with contextlib.suppress(RuntimeError):  # the loop closed first
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, None)


async def execute(emsp: SimulatedEmsp, line: str) -> bool:
    """Run one typed command; False when it asks to quit. Problems become ``error`` events."""
    say = emsp.timeline.say
    try:
        words = shlex.split(line)
    except ValueError as exc:
        say(emsp.label, "", "error", f"cannot read the command: {exc}")
        return True
    if not words:
        return True
    name, args = words[0].lower(), words[1:]
    try:
        if name in ("quit", "exit"):
            return False
        if name == "start" and 1 <= len(args) <= 3:
            await emsp.start(*args)
        elif name == "stop" and len(args) <= 1:
            session_id = args[0] if args else _last_active(emsp)
            await emsp.stop(session_id)
        elif name == "unlock" and len(args) == 3:
            await emsp.unlock(*args)
        elif name == "tokens" and not args:
            for token in emsp.tokens.values():
                say(
                    emsp.label,
                    "",
                    "listed",
                    f"Token {token['type']} {token['uid']}",
                    contract=token["contract_id"],
                )
        elif name == "sessions" and not args:
            for session_id, session in emsp.sessions.items():
                say(
                    emsp.label,
                    "",
                    "listed",
                    f"Session {session_id}",
                    ref=session_id,
                    status=session.get("status"),
                    kwh=session.get("kwh"),
                    evse=session.get("evse_uid"),
                )
        elif name == "help":
            say(emsp.label, "", "usage", USAGE)
        else:
            say(emsp.label, "", "usage", f"not a command: {line.strip()!r}; {USAGE}")
    except EmspError as exc:
        say(emsp.label, "", "error", str(exc))
    return True


def _last_active(emsp: SimulatedEmsp) -> str:
    active = [sid for sid, session in emsp.sessions.items() if session.get("status") == "ACTIVE"]
    if not active:
        raise EmspError("no ACTIVE session to stop (give its id)")
    return active[-1]


async def run(options: ConsoleOptions) -> int:
    """0 when stopped; 1 when registration or the token push failed (the reason printed)."""
    timeline = Timeline(as_json=options.as_json)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    async with running_emsp(options.emsp, timeline) as emsp:
        try:
            await emsp.register()
            if options.push_tokens:
                await emsp.push_tokens()
        except EmspError as exc:
            timeline.say(emsp.label, "", "error", str(exc))
            return 1
        timeline.say(emsp.label, "", "ready", f"type a command: {USAGE}")
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
            if not await execute(emsp, line):
                break
        stopped.cancel()
    return 0
