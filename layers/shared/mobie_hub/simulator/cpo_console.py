"""``mobie-hub simulate cpo``: a simulated CPO that registers (as CPO), pushes a tariff of its
stations, prints every session and CDR the hub pushes it in one line, and takes commands typed on
its standard input (``console.py``)::

    tariff PRICE_PER_KWH [ACTIVATION]   PUT a new version of the tariff it pushed (EUR, VAT 23 %)
    sessions [DATE_FROM] | cdrs [DATE_FROM]   GET its lists from the hub (default: the last 24 h)
    help | quit
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mobie_hub.simulator.console import Command, run_prompt
from mobie_hub.simulator.cpo import SimulatedCpo, price, running_cpo
from mobie_hub.simulator.party import PartyError, PartyOptions
from mobie_hub.simulator.timeline import Timeline

USAGE = "tariff PRICE_PER_KWH [ACTIVATION] | sessions [DATE_FROM] | cdrs [DATE_FROM] | help | quit"


@dataclass(frozen=True)
class CpoConsoleOptions:
    cpo: PartyOptions
    tariff_id: str | None = None  # default: the first tariff its stations' connectors reference
    per_kwh: float = 0.40
    as_json: bool = False


def _a_day_ago() -> str:
    return (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def commands(cpo: SimulatedCpo) -> dict[str, Command]:
    async def tariff(per_kwh: str, activation: str | None = None) -> None:
        """A new version of the tariff it pushed last."""
        per_kwh_eur, fee = price(per_kwh), None if activation is None else price(activation)
        if not cpo.tariffs:
            raise PartyError("no tariff pushed yet to make a new version of")
        await cpo.push_tariff(cpo.tariff(list(cpo.tariffs)[-1], per_kwh_eur, fee))

    async def sessions(date_from: str | None = None) -> None:
        await cpo.list_objects("sessions", date_from or _a_day_ago())

    async def cdrs(date_from: str | None = None) -> None:
        await cpo.list_objects("cdrs", date_from or _a_day_ago())

    return {
        "tariff": Command(tariff, 1, 2),
        "sessions": Command(sessions, 0, 1),
        "cdrs": Command(cdrs, 0, 1),
    }


async def run(options: CpoConsoleOptions) -> int:
    """0 when stopped; 1 when the registration or the first tariff push failed (the reason printed)."""

    async def prepare(cpo: SimulatedCpo) -> None:
        await cpo.register()
        own = [] if options.tariff_id else await cpo.own_tariff_ids()
        tariff_id = options.tariff_id or (own[0] if own else f"{cpo.options.party_id}-SIM")
        await cpo.push_tariff(cpo.tariff(tariff_id, options.per_kwh))

    timeline = Timeline(as_json=options.as_json)
    return await run_prompt(running_cpo(options.cpo, timeline), prepare, commands, USAGE)
