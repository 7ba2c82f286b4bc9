"""A scriptable OCPP 1.6-J charging station (``mobie-hub simulate station``; tests; demos)::

async with connect_station("ws://127.0.0.1:8080/ocpp", "LSB-00175") as station:
    await station.boot()
    await station.report_all()
    result = await station.charge("04A1B2C3D4E5F6", seconds=30)
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from mobie_hub.ocpp.station_auth import basic_header
from mobie_hub.simulator.charging import ChargeResult
from mobie_hub.simulator.script import Script
from mobie_hub.simulator.station import SimulatedStation

__all__ = [
    "ChargeResult",
    "Script",
    "SimulatedStation",
    "SimulatorOptions",
    "connect_station",
    "run",
    "station_url",
]


def station_url(url: str, station_id: str) -> str:
    """The station's endpoint: ``url`` if it already ends with the id, else ``url/<id>``."""
    url = url.rstrip("/")
    if urlsplit(url).path.rsplit("/", 1)[-1] == quote(station_id, safe=""):
        return url
    return f"{url}/{quote(station_id, safe='')}"


@asynccontextmanager
async def connect_station(
    url: str,
    station_id: str,
    *,
    password: str | bytes | None = None,
    subprotocols: Sequence[str] = ("ocpp1.6",),
    **station: Any,
) -> AsyncIterator[SimulatedStation]:
    """Open the station's websocket and run its receive loop; yields the station."""
    import websockets

    headers = {"Authorization": basic_header(station_id, password)} if password else {}
    async with websockets.connect(
        station_url(url, station_id),
        subprotocols=list(subprotocols) or None,
        additional_headers=headers,
        open_timeout=10,
        max_size=2**20,
    ) as connection:
        simulated = SimulatedStation(station_id, connection, **station)
        receiver = asyncio.ensure_future(simulated.start())
        simulated.receiver = receiver
        try:
            yield simulated
        finally:
            for task in [receiver, *simulated._tasks]:
                task.cancel()
            for task in [receiver, *list(simulated._tasks)]:
                with contextlib.suppress(BaseException):
                    await task


@dataclass(frozen=True)
class SimulatorOptions:
    station_id: str
    url: str = "ws://127.0.0.1:8080/ocpp"
    password: str | None = None
    connectors: int = 2
    rfid: str | None = None
    charge_seconds: float = 30.0
    connector: int = 1
    meter_interval: float = 10.0
    once: bool = False


def _say(station_id: str, text: str) -> None:
    print(f"[{station_id}] {text}", flush=True)


async def run(options: SimulatorOptions) -> int:
    """Boot, report every connector, charge once on ``rfid`` (if given), then answer the hub's calls
    until the connection closes or Ctrl-C (with ``once``: stop after the boot and the charge). Exit
    code 1 when the boot or the charge's idTag was not accepted."""
    say = functools.partial(_say, options.station_id)
    async with connect_station(
        options.url,
        options.station_id,
        password=options.password,
        connectors=options.connectors,
        meter_interval=options.meter_interval,
    ) as station:
        boot = await station.boot()
        say(f"BootNotification: {boot.status}, heartbeat every {boot.interval} s")
        if boot.status != "Accepted":
            return 1
        await station.report_all()
        say(f"StatusNotification: {options.connectors} connector(s) Available")
        station.spawn(station.heartbeat_forever())
        if options.rfid:
            say(
                f"charging on connector {options.connector} with idTag {options.rfid} for {options.charge_seconds:g} s"
            )
            result = await station.charge(options.rfid, options.charge_seconds, options.connector)
            if result.transaction_id is None:
                say(f"Authorize: {result.id_tag_status}; no charge")
            else:
                say(
                    f"transaction {result.transaction_id} ({result.id_tag_status}) stopped: "
                    f"{result.energy_wh} Wh, reason {result.stop_reason}"
                )
            if options.once:
                return 0 if result.id_tag_status == "Accepted" else 1
        if options.once:
            return 0
        say("answering RemoteStart/RemoteStop/UnlockConnector/TriggerMessage (Ctrl-C to stop)")
        with contextlib.suppress(Exception):
            await station.receiver
        say("connection closed")
    return 0
