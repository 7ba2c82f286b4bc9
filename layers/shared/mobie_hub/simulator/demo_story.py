"""What the steps of ``mobie-hub demo`` share (``demo.py``, ``demo_cpo.py``): its options, the
actors and what earlier steps found, and the failure of a step."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mobie_hub.simulator.cpo import SimulatedCpo
from mobie_hub.simulator.emsp import SimulatedEmsp
from mobie_hub.simulator.station import SimulatedStation
from mobie_hub.simulator.timeline import Event, StepTimeout, Timeline


@dataclass(frozen=True)
class DemoOptions:
    hub: str = "http://127.0.0.1:8080"
    party_id: str = "SIM"
    station_id: str = "PRT-00107"  # a demo station of `make run` whose operator is a CPO (PT/GLP)
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
    cpo: SimulatedCpo | None = None
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


LOOPBACK_HINT = (
    " (the hub calls parties on loopback only when started with `mobie-hub serve --allow-loopback-parties`;"
    " `make run` starts it so)"
)


def with_hint(exc: Exception) -> str:
    """The reason of a failed registration, with the sandbox's option when the hub refused loopback."""
    return f"{exc}{LOOPBACK_HINT if 'loopback' in str(exc) else ''}"
