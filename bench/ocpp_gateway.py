"""OCPP gateway: messages per second through the local stack over real websockets, and DynamoDB
calls per message type (goals: Heartbeat 1 write, StatusNotification 1 read + 1 write, MeterValues
at most 2 calls) and per connection (admission with HTTP Basic + the station → connection mapping).

The hub runs in this process (uvicorn in a thread, the embedded moto DynamoDB on loopback), so its
DynamoDB client can be counted exactly (a botocore ``before-call`` hook). Throughput: STATIONS
stations connect at once, each sends ROUNDS rounds of Heartbeat + StatusNotification, one call at a
time as OCPP-J demands, bounded by TIME_LIMIT. Timings include moto's DynamoDB server and the GIL
shared by hub and stations, so read them as relative figures, never as AWS capacity.

(Named ocpp_gateway, not ocpp: ``bench/`` is on ``sys.path`` when ``bench/run.py`` runs, and a
``bench/ocpp.py`` would shadow the ``ocpp`` library.)
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from collections import Counter
from typing import Any

STATIONS = 50
ROUNDS = 10
TIME_LIMIT = 120.0
SAMPLES = 20
GOALS = {"Heartbeat": "1 write", "StatusNotification": "1 read + 1 write", "MeterValues": "<= 2 calls"}
NOTES = {  # what a line counts beyond the message itself
    "BootNotification": "with the TriggerMessage it causes: the call item written, read and deleted",
    "1st Heartbeat after boot": "with the ChangeConfigurations it starts, one after another",
}
PASSWORD = "bench-station-password"  # every bench station's (stations authenticate by default)


def _headers(station_id: str) -> dict[str, str]:
    from mobie_hub.ocpp.station_auth import basic_header

    return {"Authorization": basic_header(station_id, PASSWORD)}


def _environment() -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "MOBIE_PUBLIC_URL": "http://127.0.0.1",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }.items():
        os.environ[name] = value
    for name in [n for n in os.environ if n.startswith("MOBIE_TABLE_") or n == "MOBIE_DYNAMODB_ENDPOINT"]:
        del os.environ[name]


def _stations() -> list[str]:
    """STATIONS Locations with two EVSEs each, copies of the demo station LSB-00175."""
    from importlib import resources

    from mobie_hub.core.types import utcnow
    from mobie_hub.locations.models import Location
    from mobie_hub.locations.repository import put_location
    from mobie_hub.ocpp import repository as stations
    from mobie_hub.ocpp.station_auth import hash_password

    password_hash = hash_password(PASSWORD.encode())  # one scrypt for all (a bench, not a deployment)

    demo = json.loads(resources.files("mobie_hub.data.demo").joinpath("locations.json").read_text("utf-8"))
    source = next(location for location in demo if location["id"] == "LSB-00175")
    ids = []
    for n in range(STATIONS + 1):  # the last one is measured alone, fresh
        station_id = f"BENCH-{n:05d}"
        evses = [
            {**evse, "uid": f"{station_id}-{i:02d}", "evse_id": None, "status": "AVAILABLE"}
            for i, evse in enumerate(source["evses"], start=1)
        ]
        put_location(Location.model_validate({**source, "id": station_id, "evses": evses}))
        stations.set_password_hash(station_id, password_hash, utcnow())
        ids.append(station_id)
    return ids


class Station:
    """A bare OCPP-J client: one call at a time, answers awaited. The hub's own calls meanwhile (the
    configuration after the first Heartbeat after a boot: TriggerMessage, ChangeConfiguration) are
    accepted at once, as a station that takes its configuration does."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.count = 0
        self.hub_calls = 0

    async def call(self, action: str, payload: dict[str, Any]) -> list[Any]:
        self.count += 1
        await self.connection.send(json.dumps([2, f"m{self.count}", action, payload]))
        while (answer := json.loads(await self.connection.recv()))[0] == 2:
            self.hub_calls += 1
            await self.connection.send(json.dumps([3, answer[1], {"status": "Accepted"}]))
        if answer[0] != 3:
            raise RuntimeError(f"{action} refused: {answer}")
        return answer

    async def settle(self, quiet: float = 0.5) -> None:
        """Answer the hub's own calls until it sends nothing for ``quiet`` seconds (its last answer
        processed by then), so they count with the message that caused them."""
        while True:
            try:
                call = json.loads(await asyncio.wait_for(self.connection.recv(), quiet))
            except TimeoutError:
                return
            if call[0] == 2:
                self.hub_calls += 1
                await self.connection.send(json.dumps([3, call[1], {"status": "Accepted"}]))


def _status(connector: int, status: str) -> dict[str, Any]:
    return {"connectorId": connector, "errorCode": "NoError", "status": status}


async def _throughput(url: str, ids: list[str]) -> tuple[int, float, list[float]]:
    import websockets

    latencies: list[float] = []
    deadline = time.perf_counter() + TIME_LIMIT

    async def one(station_id: str) -> int:
        async with websockets.connect(
            f"{url}/{station_id}",
            subprotocols=["ocpp1.6"],
            additional_headers=_headers(station_id),
            open_timeout=120,  # STATIONS admissions at once: one scrypt (~50 ms of CPU) each
        ) as connection:
            station = Station(connection)
            await station.call("BootNotification", {"chargePointVendor": "Bench", "chargePointModel": "B"})
            for round_ in range(ROUNDS):
                if time.perf_counter() > deadline:
                    break
                for action, payload in (
                    ("Heartbeat", {}),
                    (
                        "StatusNotification",
                        _status(1 + round_ % 2, "Charging" if round_ % 4 < 2 else "Available"),
                    ),
                ):
                    start = time.perf_counter()
                    await station.call(action, payload)
                    latencies.append(time.perf_counter() - start)
            return station.count

    start = time.perf_counter()
    counts = await asyncio.gather(*(one(station_id) for station_id in ids))
    return sum(counts), time.perf_counter() - start, latencies


async def _calls_per_type(url: str, station_id: str) -> dict[str, tuple[Counter, float]]:
    """DynamoDB calls (and milliseconds) per message type, from a fresh station while no other is
    connected (its EVSEs start AVAILABLE)."""
    import websockets

    from mobie_hub.core.dynamodb import counting_calls

    measured: dict[str, tuple[Counter, float]] = {}
    await asyncio.sleep(2)  # the throughput stations' disconnects (2 DeleteItems each) finish first
    wrong = {"Authorization": _headers(station_id)["Authorization"][:-4] + "AAA="}
    with counting_calls() as calls:  # refused: the same 401 whatever the reason; the failure is counted
        start = time.perf_counter()
        try:
            await websockets.connect(
                f"{url}/{station_id}", subprotocols=["ocpp1.6"], additional_headers=wrong
            )
        except websockets.InvalidStatus:
            pass
        measured["connect, wrong password (401)"] = (calls.copy(), (time.perf_counter() - start) * 1000)
    with counting_calls() as calls:
        start = time.perf_counter()
        connection = await websockets.connect(
            f"{url}/{station_id}", subprotocols=["ocpp1.6"], additional_headers=_headers(station_id)
        )
        measured["connect (admitted, mapped)"] = (calls.copy(), (time.perf_counter() - start) * 1000)
    async with connection:
        station = Station(connection)

        async def measure(
            title: str, action: str, payload_for, samples: int = SAMPLES, follow_ups: bool = False
        ) -> list[list[Any]]:
            """``follow_ups``: the hub's own calls the message causes count with it (timed without
            the wait for silence after each)."""
            answers = []
            seconds = 0.0
            with counting_calls() as calls:
                for i in range(samples):
                    start = time.perf_counter()
                    answers.append(await station.call(action, payload_for(i)))
                    seconds += time.perf_counter() - start
                    if follow_ups:
                        await station.settle()
            measured[title] = (
                Counter({name: count / samples for name, count in calls.items()}),
                seconds / samples * 1000,
            )
            return answers

        boot = {"chargePointVendor": "B", "chargePointModel": "B"}
        await measure("BootNotification", "BootNotification", lambda i: boot, follow_ups=True)
        # The first Heartbeat after a boot starts the hub's configuration of the station (one
        # ChangeConfiguration after another, docs/ocpp.md "Message volume"): once per boot, apart.
        await measure("1st Heartbeat after boot", "Heartbeat", lambda i: {}, samples=1, follow_ups=True)
        await measure("Heartbeat", "Heartbeat", lambda i: {})
        await measure(
            "StatusNotification",
            "StatusNotification",
            lambda i: _status(1, "Charging" if i % 2 == 0 else "Available"),
        )
        await measure(
            "StatusNotification (unchanged)", "StatusNotification", lambda i: _status(2, "Available")
        )
        await measure("Authorize", "Authorize", lambda i: {"idTag": f"BENCH{i:05d}"})
        started = await measure(
            "StartTransaction",
            "StartTransaction",
            lambda i: {
                "connectorId": 1,
                "idTag": f"BENCH{i:05d}",
                "meterStart": 0,
                "timestamp": "2026-11-23T09:00:00Z",
            },
        )
        transaction_id = started[0][2]["transactionId"]
        await measure(
            "MeterValues",
            "MeterValues",
            lambda i: {
                "connectorId": 1,
                "transactionId": transaction_id,
                "meterValue": [
                    {"timestamp": f"2026-11-23T09:{i:02d}:00Z", "sampledValue": [{"value": str(100 * i)}]}
                ],
            },
        )
        ids = [answer[2]["transactionId"] for answer in started]
        await measure(
            "StopTransaction",
            "StopTransaction",
            lambda i: {
                "transactionId": ids[i],
                "meterStop": 100,
                "timestamp": "2026-11-23T10:00:00Z",
                "idTag": f"BENCH{i:05d}",
            },
        )
    return measured


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    _environment()
    from mobie_hub.cli.in_process import in_process_hub

    with in_process_hub(demo=False, pipeline=False) as hub:  # the gateway's own calls, no pushes
        ids = _stations()
        messages, seconds, latencies = asyncio.run(_throughput(hub.ocpp_url, ids[:STATIONS]))
        print(
            f"{STATIONS} stations at once over websockets, {ROUNDS} rounds of Heartbeat + StatusNotification "
            f"(bounded by {TIME_LIMIT:.0f} s):"
        )
        print(
            f"  {messages} messages in {seconds:.2f} s = {messages / seconds:.0f} messages/s; latency "
            f"p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {_percentile(latencies, 0.95) * 1000:.1f} ms, "
            f"max {max(latencies) * 1000:.1f} ms"
        )
        measured = asyncio.run(_calls_per_type(hub.ocpp_url, ids[STATIONS]))
    print(f"DynamoDB calls per message, one station alone (mean of {SAMPLES}; the connects: one each):")
    print(f"  {'message':<32}{'ms':>7}{'reads':>7}{'writes':>8}   calls by operation")
    reads = {"GetItem", "Query", "BatchGetItem"}
    for title, (calls, milliseconds) in measured.items():
        read = sum(v for k, v in calls.items() if k in reads)
        write = sum(v for k, v in calls.items() if k not in reads)
        detail = ", ".join(f"{name} {count:.2f}" for name, count in sorted(calls.items())) or "none"
        note = f"goal: {GOALS[title]}" if title in GOALS else NOTES.get(title)
        goal = f"   ({note})" if note else ""
        print(f"  {title:<32}{milliseconds:>7.1f}{read:>7.2f}{write:>8.2f}   {detail}{goal}")
    return 0


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "layers" / "shared"))
    sys.exit(main())
