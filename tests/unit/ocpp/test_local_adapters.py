"""The local hub's adapters: the websocket connection table and awaitable call outcomes."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timezone

import pytest

from mobie_hub.local.ocpp import LocalCallResults, LocalConnections
from mobie_hub.ocpp.ports import CallOutcome, ConnectionGone
from mobie_hub.simulator import station_url
from tests.support.ocpp_fakes import RecordingListener

OUTCOME = CallOutcome(
    "LSB-00175",
    "m1",
    "TriggerMessage",
    datetime(2026, 1, 1, tzinfo=timezone.utc),
    result={"status": "Accepted"},
)


def test_frames_sent_from_any_thread_arrive_in_order_on_the_connection_queue():
    async def scenario():
        connections = LocalConnections()
        connection_id, queue = connections.open()
        thread = threading.Thread(target=lambda: [connections.send(connection_id, f"f{i}") for i in range(3)])
        thread.start()
        thread.join()
        return [await asyncio.wait_for(queue.get(), 1) for _ in range(3)]

    assert asyncio.run(scenario()) == ["f0", "f1", "f2"]


def test_a_forgotten_connection_is_gone_and_closing_it_is_no_error():
    async def scenario():
        connections = LocalConnections()
        connection_id, _ = connections.open()
        connections.forget(connection_id)
        connections.close(connection_id)
        with pytest.raises(ConnectionGone):
            connections.send(connection_id, "x")

    asyncio.run(scenario())


def test_an_outcome_reaches_a_waiter_whether_it_came_before_or_after_the_wait_and_is_logged_on():
    then = RecordingListener()
    results = LocalCallResults(then)
    results.on_outcome(OUTCOME)  # before anyone waits

    assert results.wait("LSB-00175", "m1", timeout=1) == OUTCOME
    assert then.outcomes == [OUTCOME]

    async def later():
        waiter = asyncio.ensure_future(results.wait_async("LSB-00175", "m2", timeout=2))
        await asyncio.sleep(0.01)
        results.on_outcome(
            CallOutcome("LSB-00175", "m2", "Reset", OUTCOME.sent_at, result={"status": "Accepted"})
        )
        return await waiter

    assert asyncio.run(later()).message_id == "m2"


def test_waiting_for_an_outcome_that_never_comes_times_out():
    with pytest.raises(TimeoutError):
        LocalCallResults().wait("LSB-00175", "never", timeout=0.05)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ws://127.0.0.1:8080/ocpp", "ws://127.0.0.1:8080/ocpp/LSB-00175"),
        ("ws://127.0.0.1:8080/ocpp/", "ws://127.0.0.1:8080/ocpp/LSB-00175"),
        ("wss://ocpp.mobie.pt/ocpp/LSB-00175", "wss://ocpp.mobie.pt/ocpp/LSB-00175"),
    ],
)
def test_the_simulator_appends_its_id_to_the_hub_url_unless_present(url, expected):
    assert station_url(url, "LSB-00175") == expected
