"""``mobie-hub simulate emsp``: a simulated EMSP that registers, pushes its tokens, prints every push
it receives in one line, and takes commands typed on its standard input (``console.py``)::

    start LOCATION_ID [EVSE_UID] [TOKEN_UID]   START_SESSION (default: the first EVSE, the RFID token)
    stop [SESSION_ID]                         STOP_SESSION (default: the last ACTIVE session)
    unlock LOCATION_ID EVSE_UID CONNECTOR_ID  UNLOCK_CONNECTOR
    tokens | sessions                         what it pushed | the sessions it received
    help | quit
"""

from __future__ import annotations

from dataclasses import dataclass

from mobie_hub.simulator.console import Command, run_prompt
from mobie_hub.simulator.emsp import SimulatedEmsp, running_emsp
from mobie_hub.simulator.party import PartyError, PartyOptions
from mobie_hub.simulator.timeline import Timeline

USAGE = (
    "start LOCATION_ID [EVSE_UID] [TOKEN_UID] | stop [SESSION_ID] | unlock LOCATION_ID EVSE_UID CONNECTOR_ID"
    " | tokens | sessions | help | quit"
)


@dataclass(frozen=True)
class ConsoleOptions:
    emsp: PartyOptions
    as_json: bool = False
    push_tokens: bool = True


def commands(emsp: SimulatedEmsp) -> dict[str, Command]:
    say = emsp.timeline.say

    async def stop(session_id: str | None = None) -> None:
        await emsp.stop(session_id or _last_active(emsp))

    async def tokens() -> None:
        for token in emsp.tokens.values():
            say(
                emsp.label,
                "",
                "listed",
                f"Token {token['type']} {token['uid']}",
                contract=token["contract_id"],
            )

    async def sessions() -> None:
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

    return {
        "start": Command(emsp.start, 1, 3),
        "stop": Command(stop, 0, 1),
        "unlock": Command(emsp.unlock, 3, 3),
        "tokens": Command(tokens),
        "sessions": Command(sessions),
    }


def _last_active(emsp: SimulatedEmsp) -> str:
    active = [sid for sid, session in emsp.sessions.items() if session.get("status") == "ACTIVE"]
    if not active:
        raise PartyError("no ACTIVE session to stop (give its id)")
    return active[-1]


async def run(options: ConsoleOptions) -> int:
    """0 when stopped; 1 when registration or the token push failed (the reason printed)."""

    async def prepare(emsp: SimulatedEmsp) -> None:
        await emsp.register()
        if options.push_tokens:
            await emsp.push_tokens()

    timeline = Timeline(as_json=options.as_json)
    return await run_prompt(running_emsp(options.emsp, timeline), prepare, commands, USAGE)
