"""The EMSP's steps of ``mobie-hub demo``: a simulated EMSP registers, pushes its tokens, reads the
station's Location, sends START_SESSION and STOP_SESSION and checks what reaches it: the
CommandResults, the session's PATCHes (or the session read back from the hub when meter PATCHes are
coalesced) and the priced CDR."""

from __future__ import annotations

import asyncio

from mobie_hub.simulator.demo_story import StepFailed, Story, with_hint
from mobie_hub.simulator.party import PartyError
from mobie_hub.simulator.receivers import HUB
from mobie_hub.simulator.timeline import Event, StepTimeout


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


async def emsp_starts(story: Story) -> None:
    evse = story.facts["evses"][0]
    story.facts["evse_uid"] = evse["uid"]
    response = await story.emsp.start(story.options.station_id, evse["uid"], story.facts["rfid"])
    story.facts["start"] = response["uid"]
    if response.get("result") != "ACCEPTED":
        raise StepFailed("the EMSP sends START_SESSION", f"the hub answered {response.get('result')}")


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


async def _command_result(story: Story, step: str, uid: str) -> None:
    event = await story.wait(step, lambda e: e.kind == "command_result" and e.ref == uid)
    if event.figures.get("result") != "ACCEPTED":
        raise StepFailed(
            step, f"CommandResult {event.figures.get('result')} {event.figures.get('message') or ''}"
        )

