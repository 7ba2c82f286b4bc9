"""The local stand-ins for EventBridge and the fan-out Map (issue #12 finding 9): a slow handler or a
slow party holds up only its own work, and each keeps its order. Plain threads, no sockets."""

from __future__ import annotations

import threading
import time

from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.publisher import InProcessBus
from mobie_hub.local.pipeline import PartyLanes


def event(name: str, n: int) -> DomainEvent:
    return DomainEvent.of(name, {"n": n})


def test_a_slow_party_lane_does_not_hold_up_another_and_each_keeps_its_order():
    lanes, done, release = PartyLanes(), [], threading.Event()

    def slow(n: int) -> None:
        release.wait(10)
        done.append(("A", n))

    for n in range(3):
        lanes.submit("PARTY#A", slow, n)
        lanes.submit("PARTY#B", lambda n: done.append(("B", n)), n)
    deadline = time.monotonic() + 5
    while len(done) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    # While A is stuck, all of B's work is done, in order
    assert done == [("B", 0), ("B", 1), ("B", 2)]
    # And once A answers, its own work follows in order
    release.set()
    deadline = time.monotonic() + 5
    while len(done) < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    lanes.close()
    assert [n for who, n in done if who == "A"] == [0, 1, 2]


def test_closing_drops_pushes_not_started_and_lets_the_running_one_finish():
    lanes, done, started, release = PartyLanes(), [], threading.Event(), threading.Event()

    def push(n: int) -> None:
        started.set()
        release.wait(10)
        done.append(n)

    for n in range(3):
        lanes.submit("PARTY#A", push, n)
    started.wait(5)
    threading.Timer(0.2, release.set).start()
    lanes.close()
    assert done == [0]


def test_a_slow_subscription_does_not_hold_up_another_and_each_sees_events_in_order():
    bus, seen, release = InProcessBus(), [], threading.Event()
    bus.subscribe(["Slow"], lambda e: (release.wait(10), seen.append(("slow", e.detail["n"]))))
    bus.subscribe(["Slow", "Fast"], lambda e: seen.append(("fast", e.detail["n"])))
    bus.publish([event("Slow", 0), event("Fast", 1), event("Slow", 2)])
    deadline = time.monotonic() + 5
    while len(seen) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen == [("fast", 0), ("fast", 1), ("fast", 2)]
    release.set()
    bus.close()
    assert [n for who, n in seen if who == "slow"] == [0, 2]
