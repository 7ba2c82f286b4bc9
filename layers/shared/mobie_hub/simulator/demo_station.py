"""The station's steps of ``mobie-hub demo``: a simulated station fetches its demo password from the
hub's admin interface, connects, boots and reports its connectors, and starts and stops the
transactions the EMSP's commands ask for."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from mobie_hub.admin.client import AdminError, HttpAdmin
from mobie_hub.simulator import connect_station
from mobie_hub.simulator.demo_story import StepFailed, Story
from mobie_hub.simulator.receivers import HUB
from mobie_hub.simulator.timeline import StepTimeout


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


def _demo_password(hub: str, station_id: str) -> str:
    try:
        return HttpAdmin(hub, timeout=10).call("stations.demo_password", {"station_id": station_id})[
            "password"
        ]
    except AdminError as exc:
        raise StepFailed("the station boots", f"no demo password for {station_id}: {exc.message}") from exc
