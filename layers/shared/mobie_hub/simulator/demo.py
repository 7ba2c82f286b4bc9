"""``mobie-hub demo``: one charge told end to end against a running local hub, as a timeline.

A simulated EMSP registers and pushes its tokens, reads the station's Location, a simulated station
boots and reports its connectors, the EMSP sends START_SESSION, the station starts, meter values come
back as session PATCHes, the EMSP sends STOP_SESSION, the station stops, and the CDR arrives priced
with its ``mobie_cdr_extension`` lines. Every step waits at most ``step_timeout`` seconds for what it
expects; the first one that does not happen ends the demo with its name (exit code 1), so the demo is
also a smoke test of the whole hub.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from mobie_hub.admin.client import AdminError, HttpAdmin
from mobie_hub.simulator import connect_station
from mobie_hub.simulator.emsp import EmspError, EmspOptions, SimulatedEmsp, running_emsp
from mobie_hub.simulator.emsp_receivers import HUB
from mobie_hub.simulator.station import SimulatedStation
from mobie_hub.simulator.timeline import Event, StepTimeout, Timeline

LOOPBACK_HINT = (
    " (the hub calls EMSPs on loopback only when started with `mobie-hub serve --allow-loopback-parties`;"
    " `make run` starts it so)"
)


@dataclass(frozen=True)
class DemoOptions:
    hub: str = "http://127.0.0.1:8080"
    party_id: str = "SIM"
    station_id: str = "LSB-01033"  # a demo station of `make run` with one EVSE
    step_timeout: float = 30.0
    charge_seconds: float = 4.0  # charging time after the first meter PATCH, before the stop
    meter_interval: float = 1.0
    as_json: bool = False


class StepFailed(Exception):
    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step, self.reason = step, reason


@dataclass
class Story:
    """What the steps share: the actors and what earlier steps found."""

    options: DemoOptions
    timeline: Timeline
    emsp: SimulatedEmsp
    station: SimulatedStation | None = None
    stack: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"station {self.options.station_id}"

    async def wait(self, step: str, match: Callable[[Event], bool]) -> Event:
        return await self.timeline.wait_for(step, match, self.options.step_timeout)

    async def until(self, step: str, condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + self.options.step_timeout
        while not condition():
            if time.monotonic() > deadline:
                raise StepTimeout(step, self.options.step_timeout)
            await asyncio.sleep(0.05)


# --- the steps, in order ------------------------------------------------------------------------
async def hub_answers(story: Story) -> None:
    url = f"{story.options.hub.rstrip('/')}/ocpi/versions"
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            await http.get(url)  # any answer will do (401: no token)
    except httpx.HTTPError as exc:
        raise StepFailed("the hub answers", f"cannot reach {url} ({exc}): is `make run` running?") from exc
    story.timeline.say("demo", HUB, "hub", "GET /ocpi/versions: the hub answers", url=url)


async def emsp_registers(story: Story) -> None:
    try:
        await story.emsp.register()
    except EmspError as exc:
        hint = LOOPBACK_HINT if "loopback" in str(exc) else ""
        raise StepFailed("the EMSP registers", f"{exc}{hint}") from exc


async def emsp_pushes_tokens(story: Story) -> None:
    tokens = await story.emsp.push_tokens()
    story.facts["rfid"] = tokens[0]["uid"]


async def emsp_reads_the_station(story: Story) -> None:
    location_id = story.options.station_id
    location = await story.emsp.read("locations", location_id)
    evses = location.get("evses") or []
    if not evses:
        raise StepFailed("the EMSP reads the station", f"Location {location_id} has no EVSE")
    story.facts["evses"] = evses
    tariffs = sorted({t for e in evses for c in e.get("connectors", []) for t in c.get("tariff_ids") or []})
    story.timeline.say(
        story.emsp.label,
        HUB,
        "location_read",
        f"GET Location {location_id}",
        evses=len(evses),
        tariffs=tariffs,
    )


async def station_boots(story: Story) -> None:
    options = story.options
    password = await asyncio.to_thread(_demo_password, options.hub, options.station_id)
    parts = urlsplit(options.hub)
    ocpp_url = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}/ocpp"
    story.station = await story.stack.enter_async_context(
        connect_station(
            ocpp_url,
            options.station_id,
            password=password,
            connectors=len(story.facts["evses"]),
            meter_interval=options.meter_interval,
        )
    )
    boot = await story.station.boot()
    story.timeline.say(
        story.name, HUB, "boot", "BootNotification", status=boot.status, heartbeat=f"{boot.interval} s"
    )
    if boot.status != "Accepted":
        raise StepFailed("the station boots", f"the hub answered {boot.status}")


async def station_reports_connectors(story: Story) -> None:
    await story.station.report_all()
    story.timeline.say(
        story.name,
        HUB,
        "status",
        "StatusNotification",
        connectors=story.station.connectors,
        status="Available",
    )


async def emsp_starts(story: Story) -> None:
    evse = story.facts["evses"][0]
    story.facts["evse_uid"] = evse["uid"]
    response = await story.emsp.start(story.options.station_id, evse["uid"], story.facts["rfid"])
    story.facts["start"] = response["uid"]
    if response.get("result") != "ACCEPTED":
        raise StepFailed("the EMSP sends START_SESSION", f"the hub answered {response.get('result')}")


async def station_starts(story: Story) -> None:
    station = story.station
    await story.until("the station starts", lambda: 1 in station.transactions)
    transaction = station.transactions[1]
    story.facts["transaction"] = transaction
    story.timeline.say(
        story.name,
        HUB,
        "transaction_started",
        "RemoteStartTransaction -> StartTransaction",
        transaction=transaction.transaction_id,
        id_tag=transaction.id_tag,
        accepted=transaction.id_tag_status,
    )


async def start_confirmed(story: Story) -> None:
    await _command_result(story, "the hub confirms the start", story.facts["start"])


async def session_active(story: Story) -> None:
    evse_uid = story.facts["evse_uid"]
    event = await story.wait(
        "the EMSP receives the session",
        lambda e: (
            e.kind == "session"
            and e.figures.get("status") == "ACTIVE"
            and story.emsp.sessions.get(e.ref, {}).get("evse_uid") == evse_uid
        ),
    )
    story.facts["session"] = event.ref


async def meter_values_flow(story: Story) -> None:
    """A PATCH carrying kWh. A hub that coalesces meter PATCHes (``session_push_interval_seconds``,
    docs/events.md) may send none before the stop: after a few meter intervals without one, the
    EMSP reads the session from the hub's sessions sender instead, which must show the energy."""
    session_id = story.facts["session"]
    patience = min(story.options.step_timeout, 4 * story.options.meter_interval + 3)
    try:
        await story.timeline.wait_for(
            "meter values flow as session PATCHes",
            lambda e: (
                e.kind == "session"
                and e.ref == session_id
                and e.what.startswith("PATCH")
                and (e.figures.get("kwh") or 0) > 0
            ),
            patience,
        )
    except StepTimeout:
        await _session_read_back(story, session_id)
    await asyncio.sleep(story.options.charge_seconds)


async def _session_read_back(story: Story, session_id: str) -> None:
    started = story.emsp.sessions[session_id]["start_date_time"]
    listed = await story.emsp.read("sessions", date_from=started)
    session = next((s for s in listed or [] if s.get("id") == session_id), None)
    if session is None or not session.get("kwh"):
        kwh = None if session is None else session.get("kwh")
        raise StepFailed(
            "meter values flow as session PATCHes", f"no PATCH with kWh, and the hub's session has {kwh}"
        )
    story.timeline.say(
        story.emsp.label,
        HUB,
        "session_read",
        f"GET Sessions: {session_id}",
        ref=session_id,
        status=session.get("status"),
        kwh=session["kwh"],
        note="the hub coalesces meter PATCHes",
    )


async def emsp_stops(story: Story) -> None:
    response = await story.emsp.stop(story.facts["session"])
    story.facts["stop"] = response["uid"]
    if response.get("result") != "ACCEPTED":
        raise StepFailed("the EMSP sends STOP_SESSION", f"the hub answered {response.get('result')}")


async def station_stops(story: Story) -> None:
    transaction = story.facts["transaction"]
    try:
        await asyncio.wait_for(transaction.stopped.wait(), story.options.step_timeout)
    except TimeoutError:
        raise StepTimeout("the station stops", story.options.step_timeout) from None
    energy = round(story.station.meters[1]) - transaction.meter_start_wh
    story.timeline.say(
        story.name,
        HUB,
        "transaction_stopped",
        "RemoteStopTransaction -> StopTransaction",
        transaction=transaction.transaction_id,
        energy=f"{energy} Wh",
        reason=transaction.stop_reason.value,
    )


async def stop_confirmed(story: Story) -> None:
    await _command_result(story, "the hub confirms the stop", story.facts["stop"])


async def session_completes(story: Story) -> None:
    session_id = story.facts["session"]
    await story.wait(
        "the session completes",
        lambda e: e.kind == "session" and e.ref == session_id and e.figures.get("status") == "COMPLETED",
    )


async def cdr_arrives(story: Story) -> None:
    session_id = story.facts["session"]
    event = await story.wait(
        "the CDR arrives priced", lambda e: e.kind == "cdr" and e.figures.get("session") == session_id
    )
    cdr = story.emsp.cdrs[event.ref]
    if not (cdr.get("mobie_cdr_extension") or {}).get("lines"):
        raise StepFailed("the CDR arrives priced", "the CDR has no mobie_cdr_extension lines")
    if (cdr.get("total_cost") or {}).get("excl_vat") is None:
        raise StepFailed("the CDR arrives priced", "the CDR has no total_cost")


STEPS: list[tuple[str, Callable[[Story], Awaitable[None]]]] = [
    ("the hub answers", hub_answers),
    ("the EMSP registers", emsp_registers),
    ("the EMSP pushes its tokens", emsp_pushes_tokens),
    ("the EMSP reads the station", emsp_reads_the_station),
    ("the station boots", station_boots),
    ("the station reports its connectors", station_reports_connectors),
    ("the EMSP sends START_SESSION", emsp_starts),
    ("the station starts", station_starts),
    ("the hub confirms the start", start_confirmed),
    ("the EMSP receives the session", session_active),
    ("meter values flow as session PATCHes", meter_values_flow),
    ("the EMSP sends STOP_SESSION", emsp_stops),
    ("the station stops", station_stops),
    ("the hub confirms the stop", stop_confirmed),
    ("the session completes", session_completes),
    ("the CDR arrives priced", cdr_arrives),
]


async def _command_result(story: Story, step: str, uid: str) -> None:
    event = await story.wait(step, lambda e: e.kind == "command_result" and e.ref == uid)
    if event.figures.get("result") != "ACCEPTED":
        raise StepFailed(
            step, f"CommandResult {event.figures.get('result')} {event.figures.get('message') or ''}"
        )


def _demo_password(hub: str, station_id: str) -> str:
    try:
        return HttpAdmin(hub, timeout=10).call("stations.demo_password", {"station_id": station_id})[
            "password"
        ]
    except AdminError as exc:
        raise StepFailed("the station boots", f"no demo password for {station_id}: {exc.message}") from exc


async def run_demo(options: DemoOptions) -> int:
    """0 when every step happened; 1 naming the first that did not (on stderr, and last on stdout)."""
    timeline = Timeline(as_json=options.as_json)
    started = time.monotonic()
    failure: StepFailed | None = None
    async with running_emsp(EmspOptions(options.party_id, hub=options.hub), timeline) as emsp:
        story = Story(options, timeline, emsp)
        async with story.stack:
            for number, (name, step) in enumerate(STEPS, start=1):
                try:
                    await asyncio.wait_for(step(story), options.step_timeout * 2)
                except StepFailed as exc:
                    failure = exc
                except StepTimeout as exc:
                    failure = StepFailed(name, f"did not happen within {exc.seconds:g} s")
                except (TimeoutError, EmspError, OSError) as exc:
                    failure = StepFailed(name, str(exc) or exc.__class__.__name__)
                if failure is not None:
                    failure = StepFailed(f"step {number}/{len(STEPS)} '{failure.step}'", failure.reason)
                    break
    if failure is not None:
        timeline.say("demo", "", "failed", f"FAILED at {failure.step}", reason=failure.reason)
        print(f"mobie-hub demo: FAILED at {failure}", file=sys.stderr)
        return 1
    timeline.say(
        "demo", "", "done", f"a whole charge in {time.monotonic() - started:.1f} s", steps=len(STEPS)
    )
    return 0
