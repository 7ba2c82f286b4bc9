"""``mobie-hub demo``: one charge told end to end against a running local hub, as a timeline.

A simulated EMSP registers and pushes its tokens and reads the station's Location; the station's
operator, a simulated CPO (Phase 2, ``demo_cpo.py``), registers and pushes a new version of the
station's tariff, which the EMSP reads back; a simulated station boots and reports its connectors,
the EMSP sends START_SESSION, the station starts, the session reaches the EMSP and the CPO, meter
values come back as session PATCHes, the EMSP sends STOP_SESSION, the station stops, and the CDR
arrives priced with the CPO's tariff and its ``mobie_cdr_extension`` lines, at the EMSP and at the
CPO. Every step waits at most ``step_timeout`` seconds for what it expects; the first one that does
not happen ends the demo with its name (exit code 1), so the demo is also a smoke test of the hub.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import httpx

from mobie_hub.admin.client import AdminError, HttpAdmin
from mobie_hub.simulator import connect_station, demo_cpo
from mobie_hub.simulator.demo_story import DemoOptions, StepFailed, Story, with_hint
from mobie_hub.simulator.emsp import running_emsp
from mobie_hub.simulator.party import PartyError, PartyOptions
from mobie_hub.simulator.receivers import HUB
from mobie_hub.simulator.timeline import Event, StepTimeout, Timeline


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
    except PartyError as exc:
        raise StepFailed("the EMSP registers", with_hint(exc)) from exc


async def emsp_pushes_tokens(story: Story) -> None:
    tokens = await story.emsp.push_tokens()
    story.facts["rfid"] = tokens[0]["uid"]


async def emsp_reads_the_station(story: Story) -> None:
    location_id = story.options.station_id
    location = await story.emsp.read("locations", location_id)
    evses = location.get("evses") or []
    if not evses:
        raise StepFailed("the EMSP reads the station", f"Location {location_id} has no EVSE")
    story.facts["location"], story.facts["evses"] = location, evses
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
            _to_emsp(story, e, "session")
            and e.figures.get("status") == "ACTIVE"
            and story.emsp.sessions.get(e.ref, {}).get("evse_uid") == evse_uid
        ),
    )
    story.facts["session"] = event.ref


async def meter_values_flow(story: Story) -> None:
    """A PATCH carrying kWh. A hub that coalesces meter PATCHes (``session_push_interval_seconds``,
    docs/events.md) may send none before the stop: after a few meter intervals without one, the
    EMSP reads the session from the hub's sessions sender instead (``_session_read_back``)."""
    session_id = story.facts["session"]
    patience = min(story.options.step_timeout, 4 * story.options.meter_interval + 3)
    try:
        await story.timeline.wait_for(
            "meter values flow as session PATCHes",
            lambda e: (
                _to_emsp(story, e, "session")
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
    """The session as the hub's sessions sender lists it: with kWh, or — a coalescing hub rewrites
    the listed Session at most once a push window (docs/sessions.md), so it may still hold the start's
    0 kWh — with the station's MeterValues answered by the hub; the stop's PATCH must then carry the
    energy (step 'the session completes')."""
    step = "meter values flow as session PATCHes"
    started = story.emsp.sessions[session_id]["start_date_time"]
    listed = await story.emsp.read("sessions", date_from=started)
    session = next((s for s in listed or [] if s.get("id") == session_id), None)
    if session is None:
        raise StepFailed(step, "no PATCH with kWh, and the hub's sessions list does not hold the session")
    answered = story.facts["transaction"].meter_values_answered
    if not session.get("kwh") and not answered:
        raise StepFailed(
            step,
            f"no PATCH with kWh, no MeterValues answered, and the hub's session has {session.get('kwh')}",
        )
    later = "" if session.get("kwh") else "; the kWh come with the stop"
    story.timeline.say(
        story.emsp.label,
        HUB,
        "session_read",
        f"GET Sessions: {session_id}",
        ref=session_id,
        status=session.get("status"),
        kwh=session.get("kwh"),
        meter_values=answered,
        note=f"the hub coalesces meter PATCHes{later}",
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
        lambda e: (
            _to_emsp(story, e, "session") and e.ref == session_id and e.figures.get("status") == "COMPLETED"
        ),
    )
    kwh = story.emsp.sessions[session_id].get("kwh")
    if not kwh:
        raise StepFailed("the session completes", f"the completed session has {kwh} kWh")


async def cdr_arrives(story: Story) -> None:
    session_id = story.facts["session"]
    event = await story.wait(
        "the CDR arrives priced",
        lambda e: _to_emsp(story, e, "cdr") and e.figures.get("session") == session_id,
    )
    cdr = story.facts["cdr"] = story.emsp.cdrs[event.ref]
    if not (cdr.get("mobie_cdr_extension") or {}).get("lines"):
        raise StepFailed("the CDR arrives priced", "the CDR has no mobie_cdr_extension lines")
    if (cdr.get("total_cost") or {}).get("excl_vat") is None:
        raise StepFailed("the CDR arrives priced", "the CDR has no total_cost")


def _to_emsp(story: Story, event: Event, kind: str) -> bool:
    return event.kind == kind and event.target == story.emsp.label


STEPS: list[tuple[str, Callable[[Story], Awaitable[None]]]] = [
    ("the hub answers", hub_answers),
    ("the EMSP registers", emsp_registers),
    ("the EMSP pushes its tokens", emsp_pushes_tokens),
    ("the EMSP reads the station", emsp_reads_the_station),
    ("the CPO registers", demo_cpo.cpo_registers),
    ("the CPO pushes a tariff", demo_cpo.cpo_pushes_a_tariff),
    ("the EMSP reads the new tariff", demo_cpo.emsp_reads_the_tariff),
    ("the station boots", station_boots),
    ("the station reports its connectors", station_reports_connectors),
    ("the EMSP sends START_SESSION", emsp_starts),
    ("the station starts", station_starts),
    ("the hub confirms the start", start_confirmed),
    ("the EMSP receives the session", session_active),
    ("the CPO receives the session", demo_cpo.cpo_receives_the_session),
    ("meter values flow as session PATCHes", meter_values_flow),
    ("the EMSP sends STOP_SESSION", emsp_stops),
    ("the station stops", station_stops),
    ("the hub confirms the stop", stop_confirmed),
    ("the session completes", session_completes),
    ("the CDR arrives priced", cdr_arrives),
    ("the CDR carries the CPO's tariff", demo_cpo.cdr_carries_the_cpos_tariff),
    ("the CPO receives the CDR", demo_cpo.cpo_receives_the_cdr),
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
    async with running_emsp(PartyOptions(options.party_id, hub=options.hub), timeline) as emsp:
        story = Story(options, timeline, emsp)
        async with story.stack:
            for number, (name, step) in enumerate(STEPS, start=1):
                try:
                    await asyncio.wait_for(step(story), options.step_timeout * 2)
                except StepFailed as exc:
                    failure = exc
                except StepTimeout as exc:
                    failure = StepFailed(name, f"did not happen within {exc.seconds:g} s")
                except (TimeoutError, PartyError, OSError) as exc:
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
