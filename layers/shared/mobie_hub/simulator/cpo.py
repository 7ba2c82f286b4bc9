"""A simulated CPO for the sandbox (``mobie-hub simulate cpo``, ``mobie-hub demo``), Phase 2
(docs/phase2.md)::

timeline = Timeline()
async with running_cpo(PartyOptions("GLP", hub="http://127.0.0.1:8080"), timeline) as cpo:
    await cpo.register()                                      # token A, then the handshake as CPO
    await cpo.push_tariff(cpo.tariff("GLP-DC-ULTRA", 0.55))   # a new version at the hub's receiver

MOBI.E still runs the stations (OCPP) and the OCPI objects stay in its namespace (PT/MOB); the CPO
pushes the tariffs of its stations and receives, as the token's EMSP does, the sessions and CDRs of
its stations (its receivers are a simulated party's, ``receivers.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from mobie_hub.simulator.party import PartyError, PartyOptions, SimulatedParty, running
from mobie_hub.simulator.receivers import HUB, build_app, cost
from mobie_hub.simulator.timeline import Timeline

VAT = 23.0  # Portugal's standard rate


class SimulatedCpo(SimulatedParty):
    role = "CPO"
    business = "{} Charging (simulated)"
    # The hub pushes a CPO the sessions and CDRs of its stations, and its ClientInfo.
    modules = (
        ("credentials", "RECEIVER"),
        ("sessions", "RECEIVER"),
        ("cdrs", "RECEIVER"),
        ("hubclientinfo", "RECEIVER"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tariffs: dict[str, dict[str, Any]] = {}  # by id, the last version pushed

    def tariff(self, tariff_id: str, per_kwh: float, activation: float | None = None) -> dict[str, Any]:
        """A REGULAR EUR tariff of this CPO valid under MOBI.E's rules (profile §9): ``per_kwh`` and,
        if given, an ``activation`` fee (a FLAT component), VAT 23 %, with its text in pt and en."""
        components: list[dict[str, Any]] = []
        pt, en = [], []
        if activation is not None:
            components.append({"type": "FLAT", "price": activation, "vat": VAT, "step_size": 1})
            pt.append(f"{_pt(activation)} € por ativação")
            en.append(f"€{activation:.2f} per activation")
        components.append({"type": "ENERGY", "price": per_kwh, "vat": VAT, "step_size": 1})
        pt.append(f"{_pt(per_kwh)} €/kWh")
        en.append(f"€{per_kwh:.2f}/kWh")
        return {
            "country_code": self.options.country_code,
            "party_id": self.options.party_id,
            "id": tariff_id,
            "currency": "EUR",
            "type": "REGULAR",
            "tariff_alt_text": [
                {"language": "pt", "text": " e ".join(pt)},
                {"language": "en", "text": " and ".join(en)},
            ],
            "elements": [{"price_components": components}],
            "last_updated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    async def push_tariff(self, tariff: dict[str, Any]) -> None:
        """PUT the tariff at the hub's tariffs receiver, under this CPO's country code and party id."""
        url = f"{self.hub_url('tariffs')}/{tariff['country_code']}/{tariff['party_id']}/{tariff['id']}"
        await self._data("PUT", url, json=tariff)
        self.tariffs[tariff["id"]] = tariff
        prices = {c["type"]: c["price"] for e in tariff["elements"] for c in e["price_components"]}
        self.timeline.say(
            self.label,
            HUB,
            "tariff_pushed",
            f"PUT Tariff {tariff['id']}",
            ref=tariff["id"],
            activation=prices.get("FLAT"),
            per_kwh=prices.get("ENERGY"),
            vat=f"{VAT:g} %",
        )

    async def own_tariff_ids(self) -> list[str]:
        """The tariff ids the connectors of this CPO's stations reference, in the order the hub's
        locations sender lists them (its first page)."""
        cc, pid = self.options.country_code, self.options.party_id
        ids: list[str] = []
        for location in await self.read("locations") or []:
            if (location.get("country_code"), location.get("party_id")) != (cc, pid):
                continue
            for evse in location.get("evses") or []:
                for connector in evse.get("connectors") or []:
                    ids += [t for t in connector.get("tariff_ids") or [] if t not in ids]
        return ids

    async def list_objects(self, module: str, date_from: str) -> list[dict[str, Any]]:
        """GET the first page of the hub's ``sessions`` or ``cdrs`` list: those of this CPO's
        stations; the count, then one line each."""
        name, figures = _LISTED[module]
        listed = await self.read(module, date_from=date_from) or []
        self.timeline.say(self.label, HUB, "list_read", f"GET {name}s since {date_from}", count=len(listed))
        for item in listed:
            self.timeline.say(
                self.label, "", "listed", f"{name} {item.get('id')}", ref=item.get("id"), **figures(item)
            )
        return listed


_LISTED: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "sessions": (
        "Session",
        lambda s: {
            "status": s.get("status"),
            "kwh": s.get("kwh"),
            "location": s.get("location_id"),
            "evse": s.get("evse_uid"),
        },
    ),
    "cdrs": (
        "CDR",
        lambda c: {
            "session": c.get("session_id"),
            "kwh": c.get("total_energy"),
            "cost_incl_vat": cost(c.get("total_cost")),
        },
    ),
}


def _pt(amount: float) -> str:
    return f"{Decimal(str(amount)):.2f}".replace(".", ",")


def price(text: str) -> float:
    """A typed price in EUR (``0.55`` or ``0,55``), non-negative, at most 4 decimals."""
    try:
        value = Decimal(text.replace(",", "."))
    except ArithmeticError:
        raise PartyError(f"not a price in EUR: {text!r}") from None
    if not value.is_finite() or value < 0 or value.as_tuple().exponent < -4:
        raise PartyError(f"not a price in EUR: {text!r} (a number >= 0, at most 4 decimals)")
    return float(value)


@asynccontextmanager
async def running_cpo(
    options: PartyOptions, timeline: Timeline, **kwargs: Any
) -> AsyncIterator[SimulatedCpo]:
    """Serve the CPO's interfaces on a loopback port; unregisters it from the hub when done."""
    async with running(SimulatedCpo(options, timeline, **kwargs), build_app) as cpo:
        yield cpo
