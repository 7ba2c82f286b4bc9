"""``mobie-hub demo``: one charge told end to end against a running local hub, as a timeline.

A simulated EMSP registers and pushes its tokens and reads the station's Location; the station's
operator, a simulated CPO (Phase 2, ``demo_cpo.py``), registers and pushes a new version of the
station's tariff, which the EMSP reads back; a simulated station boots and reports its connectors,
the EMSP sends START_SESSION, the station starts, the session reaches the EMSP and the CPO, meter
values come back as session PATCHes, the EMSP sends STOP_SESSION, the station stops, and the CDR
arrives priced with the CPO's tariff and its ``mobie_cdr_extension`` lines, at the EMSP and at the
CPO. Every step waits at most ``step_timeout`` seconds for what it expects; the first one that does
not happen ends the demo with its name (exit code 1), so the demo is also a smoke test of the hub.
The steps are the actors' (``demo_emsp.py``, ``demo_station.py``, ``demo_cpo.py``); this module
holds their order and runs them.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable

import httpx

from mobie_hub.simulator import demo_cpo, demo_emsp, demo_station
from mobie_hub.simulator.demo_story import DemoOptions, StepFailed, Story
from mobie_hub.simulator.emsp import running_emsp
from mobie_hub.simulator.party import PartyError, PartyOptions
from mobie_hub.simulator.receivers import HUB
from mobie_hub.simulator.timeline import StepTimeout, Timeline


# --- the steps, in order ------------------------------------------------------------------------
async def hub_answers(story: Story) -> None:
    url = f"{story.options.hub.rstrip('/')}/ocpi/versions"
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            await http.get(url)  # any answer will do (401: no token)
    except httpx.HTTPError as exc:
        raise StepFailed("the hub answers", f"cannot reach {url} ({exc}): is `make run` running?") from exc
    story.timeline.say("demo", HUB, "hub", "GET /ocpi/versions: the hub answers", url=url)


STEPS: list[tuple[str, Callable[[Story], Awaitable[None]]]] = [
    ("the hub answers", hub_answers),
    ("the EMSP registers", demo_emsp.emsp_registers),
    ("the EMSP pushes its tokens", demo_emsp.emsp_pushes_tokens),
    ("the EMSP reads the station", demo_emsp.emsp_reads_the_station),
    ("the CPO registers", demo_cpo.cpo_registers),
    ("the CPO pushes a tariff", demo_cpo.cpo_pushes_a_tariff),
    ("the EMSP reads the new tariff", demo_cpo.emsp_reads_the_tariff),
    ("the station boots", demo_station.station_boots),
    ("the station reports its connectors", demo_station.station_reports_connectors),
    ("the EMSP sends START_SESSION", demo_emsp.emsp_starts),
    ("the station starts", demo_station.station_starts),
    ("the hub confirms the start", demo_emsp.start_confirmed),
    ("the EMSP receives the session", demo_emsp.session_active),
    ("the CPO receives the session", demo_cpo.cpo_receives_the_session),
    ("meter values flow as session PATCHes", demo_emsp.meter_values_flow),
    ("the EMSP sends STOP_SESSION", demo_emsp.emsp_stops),
    ("the station stops", demo_station.station_stops),
    ("the hub confirms the stop", demo_emsp.stop_confirmed),
    ("the session completes", demo_emsp.session_completes),
    ("the CDR arrives priced", demo_emsp.cdr_arrives),
    ("the CDR carries the CPO's tariff", demo_cpo.cdr_carries_the_cpos_tariff),
    ("the CPO receives the CDR", demo_cpo.cpo_receives_the_cdr),
]


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
