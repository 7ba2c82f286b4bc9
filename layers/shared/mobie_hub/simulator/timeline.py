"""What the sandbox's simulators say: one ``Event`` per thing that happened (who -> whom, what, key
figures), kept on a ``Timeline`` that prints each as one readable line (or one JSON object) and lets
a script wait for the event it expects (``mobie-hub demo``, tests)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

Match = Callable[["Event"], bool]


@dataclass(frozen=True)
class Event:
    """``kind`` is the machine name scripts match on (``session``, ``cdr``, ``command_result``, …);
    ``what`` the words a person reads; ``figures`` the key values (status, kWh, cost); ``ref`` the id
    of the object it is about (a session, a CDR, a command's response_url uid), for scripts."""

    source: str
    target: str
    kind: str
    what: str
    figures: dict[str, Any] = field(default_factory=dict)
    ref: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def line(self) -> str:
        figures = "  ".join(_figure(key, value) for key, value in self.figures.items() if value is not None)
        stamp = self.at.strftime("%H:%M:%S.%f")[:-3]
        arrow = "->" if self.target else "  "
        text = f"{self.what}  {figures}" if figures else self.what
        return f"{stamp}  {self.source:>17} {arrow} {self.target:<17} {text}"

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "source": self.source,
            "target": self.target,
            "kind": self.kind,
            "what": self.what,
            **({"ref": self.ref} if self.ref is not None else {}),
            **{key: value for key, value in self.figures.items() if value is not None},
        }


def _figure(key: str, value: Any) -> str:
    if key == "kwh":
        return f"{value:.3f} kWh"
    if key == "cost_incl_vat":
        return f"EUR {value:.2f} incl. VAT"
    if isinstance(value, list):
        return f"{key}: {', '.join(str(item) for item in value)}"
    return f"{key} {value}"


class StepTimeout(Exception):
    """A step the script waited for did not happen in time; ``step`` names it."""

    def __init__(self, step: str, seconds: float) -> None:
        super().__init__(f"{step}: did not happen within {seconds:g} s")
        self.step = step
        self.seconds = seconds


class Timeline:
    """Every event in order; ``emit`` prints it at once (``as_json``: one JSON object a line) and
    wakes whoever waits for one (in the same event loop: the simulators run in one)."""

    def __init__(self, out: TextIO | None = None, *, as_json: bool = False) -> None:
        self.events: list[Event] = []
        self._out = out
        self._as_json = as_json
        self._waiters: set[asyncio.Future[None]] = set()

    def emit(self, event: Event) -> Event:
        self.events.append(event)
        out = self._out if self._out is not None else sys.stdout
        text = json.dumps(event.as_json(), ensure_ascii=False) if self._as_json else event.line()
        print(text, file=out, flush=True)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        return event

    def say(
        self, source: str, target: str, kind: str, what: str, ref: str | None = None, **figures: Any
    ) -> Event:
        return self.emit(Event(source, target, kind, what, figures, ref))

    def find(self, match: Match, since: int = 0) -> Event | None:
        return next((event for event in self.events[since:] if match(event)), None)

    async def wait_for(self, step: str, match: Match, timeout: float, since: int = 0) -> Event:
        """The first event from index ``since`` on that ``match``es, waiting up to ``timeout`` seconds
        for it; ``StepTimeout(step)`` when none came."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (event := self.find(match, since)) is None:
            waiter = loop.create_future()
            self._waiters.add(waiter)
            try:
                await asyncio.wait_for(waiter, max(deadline - loop.time(), 0))
            except TimeoutError:
                raise StepTimeout(step, timeout) from None
            finally:
                self._waiters.discard(waiter)
        return event
