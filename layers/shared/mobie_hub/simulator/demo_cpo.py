"""The Phase 2 steps of ``mobie-hub demo`` (docs/phase2.md): the operator of the demo station, a
CPO, registers and pushes a new version of the station's tariff; the EMSP reads it from the hub's
tariffs sender; the CPO receives the session as the EMSP does; the CDR is priced with the CPO's
version, and the CPO receives it too. Each step checks the real effect at the hub or at a party."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from mobie_hub.admin.client import AdminError, HttpAdmin
from mobie_hub.simulator.cpo import running_cpo
from mobie_hub.simulator.demo_story import StepFailed, Story, with_hint
from mobie_hub.simulator.party import PartyError, PartyOptions
from mobie_hub.simulator.receivers import HUB
from mobie_hub.simulator.timeline import Event

PER_KWH = 0.55


def prices(tariff: dict[str, Any]) -> dict[str, float]:
    """{dimension: price} of a one-element tariff as the CPO writes it (``SimulatedCpo.tariff``)."""
    return {
        component["type"]: round(float(component["price"]), 4)
        for element in tariff.get("elements") or []
        for component in element.get("price_components") or []
    }


def activation_fee(now: datetime) -> float:
    """A new fee each run (EUR 0.30 to 0.79, by the second), so the CDR shows this run's version and
    not one an earlier run pushed."""
    return round(0.30 + int(now.timestamp()) % 50 / 100, 2)


def _hub_party(hub: str) -> str:
    try:
        return HttpAdmin(hub, timeout=10).call("status", {})["hub"]
    except AdminError as exc:
        raise StepFailed("the CPO registers", f"admin status: {exc.message}") from exc


async def cpo_registers(story: Story) -> None:
    step = "the CPO registers"
    location = story.facts["location"]
    cc, pid = location.get("country_code"), location.get("party_id")
    hub = await asyncio.to_thread(_hub_party, story.options.hub)
    if f"{cc}/{pid}" == hub:
        raise StepFailed(
            step,
            f"{story.options.station_id} is the hub's own station ({hub}): no CPO party operates it; "
            "charge at a CPO's station (--station PRT-00107)",
        )
    options = PartyOptions(pid, country_code=cc, hub=story.options.hub)
    story.cpo = await story.stack.enter_async_context(running_cpo(options, story.timeline))
    try:
        await story.cpo.register()
    except PartyError as exc:
        raise StepFailed(step, with_hint(exc)) from exc


async def cpo_pushes_a_tariff(story: Story) -> None:
    connector = story.facts["evses"][0]["connectors"][0]
    tariff_ids = connector.get("tariff_ids") or []
    if not tariff_ids:
        raise StepFailed("the CPO pushes a tariff", f"connector {connector.get('id')} references no tariff")
    now = datetime.now(UTC)
    tariff = story.cpo.tariff(tariff_ids[0], PER_KWH, activation_fee(now))
    await story.cpo.push_tariff(tariff)
    story.facts["tariff"], story.facts["tariff_pushed"] = tariff, now


async def emsp_reads_the_tariff(story: Story) -> None:
    tariff = story.facts["tariff"]
    since = (story.facts["tariff_pushed"] - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    listed = await story.emsp.read("tariffs", date_from=since) or []
    key = (tariff["country_code"], tariff["party_id"], tariff["id"])
    found = next((t for t in listed if (t.get("country_code"), t.get("party_id"), t.get("id")) == key), None)
    if found is None or prices(found) != prices(tariff):
        seen = "not listed" if found is None else f"listed with {prices(found)}"
        raise StepFailed(
            "the EMSP reads the new tariff",
            f"Tariff {'/'.join(key)} is {seen} since {since}; the CPO pushed {prices(tariff)}",
        )
    story.timeline.say(
        story.emsp.label,
        HUB,
        "tariff_read",
        f"GET Tariffs: {tariff['id']}, the CPO's version",
        ref=tariff["id"],
        activation=prices(found).get("FLAT"),
        per_kwh=prices(found).get("ENERGY"),
    )


def _to(label: str, kind: str, **wanted: Any):
    def match(event: Event) -> bool:
        return (
            event.kind == kind
            and event.target == label
            and all(
                (event.ref if key == "ref" else event.figures.get(key)) == value
                for key, value in wanted.items()
            )
        )

    return match


async def cpo_receives_the_session(story: Story) -> None:
    session_id = story.facts["session"]
    await story.wait(
        "the CPO receives the session", _to(story.cpo.label, "session", ref=session_id, status="ACTIVE")
    )
    received = story.cpo.sessions[session_id]
    if received.get("location_id") != story.options.station_id:
        raise StepFailed(
            "the CPO receives the session",
            f"its Session is at {received.get('location_id')}, not the station",
        )


async def cdr_carries_the_cpos_tariff(story: Story) -> None:
    step = "the CDR carries the CPO's tariff"
    cdr, tariff = story.facts["cdr"], story.facts["tariff"]
    applied = [t for t in cdr.get("tariffs") or [] if t.get("id") == tariff["id"]]
    if not applied or prices(applied[0]) != prices(tariff):
        shown = [(t.get("id"), prices(t)) for t in cdr.get("tariffs") or []]
        raise StepFailed(step, f"its tariffs are {shown}; the CPO pushed {tariff['id']} {prices(tariff)}")
    lines = (cdr.get("mobie_cdr_extension") or {}).get("lines") or []
    fee = prices(tariff)["FLAT"]
    activation = [line for line in lines if line.get("type") == "OPC_ACTIVATION"]
    if not activation or round(float(activation[0].get("amount_excl_vat", -1)), 4) != fee:
        raise StepFailed(
            step, f"its OPC_ACTIVATION line is {activation or 'missing'}, not the CPO's EUR {fee}"
        )
    story.timeline.say(
        HUB,
        story.emsp.label,
        "cdr_priced",
        f"CDR {cdr['id']} priced with the CPO's {tariff['id']}",
        ref=cdr["id"],
        activation=fee,
        per_kwh=prices(tariff)["ENERGY"],
    )


async def cpo_receives_the_cdr(story: Story) -> None:
    step = "the CPO receives the CDR"
    emsp_cdr = story.facts["cdr"]
    event = await story.wait(step, _to(story.cpo.label, "cdr", session=story.facts["session"]))
    cdr = story.cpo.cdrs[event.ref]
    if cdr.get("total_cost") != emsp_cdr.get("total_cost"):
        raise StepFailed(
            step, f"its total_cost {cdr.get('total_cost')} is not the EMSP's {emsp_cdr.get('total_cost')}"
        )
    if not (cdr.get("mobie_cdr_extension") or {}).get("lines"):
        raise StepFailed(step, "the CPO's CDR has no mobie_cdr_extension lines")
