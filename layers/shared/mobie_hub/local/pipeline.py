"""The local event pipeline: stream poller → converter → in-process bus → fan-out → pushes.

The same functions as in AWS (``events.stream.events_from_records``, ``events.location_push``
``plan`` and ``push_batch``, ``events.fanout.push_to_owner``, ``redeliver_due`` and ``resync_due``);
only the transport between them differs (threads instead of Pipe, EventBridge, Step Functions, the
CDR redelivery and push sweep schedules). The bus routes by the rules' own EventBridge patterns
(``events.rules``, matched as EventBridge does: ``local.event_patterns``). Location events go to every recipient, claimed and in
batches as in AWS (``location_push.deliver``; one Location's fan-outs one after the other, different
Locations' at once on ``LOCATION_FANOUTS`` threads, as concurrent executions are in AWS, so a slow
EMSP holds up only the Location being pushed to it); session and CDR events to
the one party each names (the owner workflow: the token's EMSP, or the station's CPO, each in its
own lane); a session's pushes claim their version in the ephemeral table as in AWS, so ordering,
coalescing and rechecks behave the same.

A party that answers slowly delays nobody else: a Location batch calls its parties at once (a
thread each, as the push Lambda does), and a session or CDR push runs in its party's lane
(``PartyLanes``, one worker per party), so a party that does not answer (until the outbound
timeout) holds up only its own pushes. Pushes read DynamoDB and call HTTP (a failed call also records the party OFFLINE, in that
party's lane); the embedded DynamoDB answers one request at a time (``local.embedded_aws``), so
the threads are safe with it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from mobie_hub.core.observability import logger
from mobie_hub.events import location_push
from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.fanout import OWNER_EVENTS, owner_key, push_to_owner, redeliver_due, resync_due
from mobie_hub.events.publisher import InProcessBus
from mobie_hub.events.rules import CDR_CREATION_PATTERN, FANOUT_PATTERN, OWNER_PATTERN, Pattern
from mobie_hub.events.sessions import bills
from mobie_hub.events.stream import events_from_records
from mobie_hub.local.event_patterns import Rule
from mobie_hub.local.streams import StreamPoller

LOCATION_FANOUTS = 8  # Location fan-outs under way at once (of different Locations)


def fan_out(event: DomainEvent) -> list[dict]:
    """What the Step Functions workflows do, in-process and one after the other: the owner's push of a
    session or CDR event, or a Location's fan-out (tests that want the outcomes; the running
    pipeline uses ``PartyLanes``)."""
    if event.event_name in OWNER_EVENTS:
        return [outcome] if (outcome := push_to_owner(event)) is not None else []
    return location_push.deliver(event)


def create_cdr(event: DomainEvent) -> None:
    """What functions/cdr_creation does in AWS: its rule passes the EMSP's SessionCompleted only
    (``events.rules.CDR_CREATION_PATTERN``), and it checks again (the CPO's copy of it does not bill)."""
    from mobie_hub.cdrs.creation import create_cdr_for

    if bills(event.detail):
        create_cdr_for(event.detail["session_id"])


class PartyLanes:
    """One single-worker lane per party: its pushes run one at a time, in the order given."""

    def __init__(self) -> None:
        self._lanes: dict[str, ThreadPoolExecutor] = {}
        self._lock = threading.Lock()

    def submit(self, key: str, work: Callable[..., Any], *args: Any) -> Future:
        with self._lock:
            lane = self._lanes.get(key)
            if lane is None:
                lane = self._lanes[key] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="push")
        return lane.submit(_logged, work, *args)

    def close(self) -> None:
        """Pushes not started are dropped (the objects stay readable through GET); running ones finish."""
        with self._lock:
            lanes, self._lanes = list(self._lanes.values()), {}
        for lane in lanes:
            lane.shutdown(wait=False, cancel_futures=True)
        for lane in lanes:
            lane.shutdown(wait=True)


class SerialByKey:
    """Work of one key runs one after the other, in the order given; different keys' work runs at once
    on a bounded pool (a thread per key would be one per station of a national import)."""

    def __init__(self, workers: int, name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._waiting: dict[str, deque[tuple[Callable[..., Any], tuple[Any, ...]]]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, key: str, work: Callable[..., Any], *args: Any) -> None:
        with self._lock:
            if self._closed:
                return
            if key in self._waiting:  # the key's work is under way: this follows it
                self._waiting[key].append((work, args))
                return
            self._waiting[key] = deque()
        self._pool.submit(self._run, key, work, args)

    def _run(self, key: str, work: Callable[..., Any], args: tuple[Any, ...]) -> None:
        while True:
            _logged(work, *args)
            with self._lock:
                waiting = self._waiting.get(key)
                if self._closed or not waiting:
                    self._waiting.pop(key, None)
                    return
                work, args = waiting.popleft()

    def close(self) -> None:
        """Work not started is dropped (the objects stay readable through GET); running work finishes."""
        with self._lock:
            self._closed = True
            self._waiting.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _logged(work: Callable[..., Any], *args: Any) -> Any:
    try:
        return work(*args)
    except Exception:  # a push bug must not kill its lane; it is logged with its traceback
        logger.exception("push failed unexpectedly")
        return None


class Sweep:
    """What a schedule → Lambda does in AWS: ``sweep`` every ``interval`` seconds, in one thread (so
    two sweeps never run at once), until stopped."""

    def __init__(self, interval: float, sweep: Callable[[], Any], name: str) -> None:
        self.interval = interval
        self.sweep = sweep
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            _logged(self.sweep)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


class CdrRedelivery(Sweep):
    """The schedule → functions/cdr_redelivery: the due CDR deliveries."""

    def __init__(self, interval: float, sweep: Callable[[], Any] = redeliver_due) -> None:
        super().__init__(interval, sweep, "cdr-redelivery")


class LocalPipeline:
    def __init__(self, redelivery_interval: float = 60.0, resync_interval: float = 60.0) -> None:
        self.bus = InProcessBus()
        self.lanes = PartyLanes()
        self.fanouts = SerialByKey(LOCATION_FANOUTS, "fanout")
        self._rule(FANOUT_PATTERN, self._fan_out)
        self._rule(OWNER_PATTERN, self._push_to_owner)
        self._rule(CDR_CREATION_PATTERN, create_cdr)
        self.poller = StreamPoller(lambda records: self.bus.publish(events_from_records(records)))
        self.redelivery = CdrRedelivery(redelivery_interval)
        # The schedule → functions/push handler.resync: due session rechecks → SessionResync events.
        self.resync = Sweep(resync_interval, lambda: resync_due(self.bus.publish), "push-resync")

    def _rule(self, pattern: Pattern, handler: Callable[[DomainEvent], None]) -> None:
        """An EventBridge rule on the bus: ``handler`` gets the events ``pattern`` matches."""
        rule = Rule(pattern)
        self.bus.subscribe(rule.event_names, rule.target(handler))

    def _fan_out(self, event: DomainEvent) -> None:
        """The fan-out workflow: after the Location's earlier fan-outs, beside other Locations' (the
        claims order a Location's pushes in any case, as in AWS)."""
        self.fanouts.submit(location_push.target_of(event).location, location_push.deliver, event)

    def _push_to_owner(self, event: DomainEvent) -> None:
        """The owner workflow: the push goes to the lane of the party the event names (the EMSP's or
        the CPO's; read again there, as in AWS)."""
        key = owner_key(event)
        if key is not None:
            self.lanes.submit(key, push_to_owner, event)

    def __enter__(self) -> LocalPipeline:
        self.poller.start()
        self.redelivery.start()
        self.resync.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.resync.stop()
        self.redelivery.stop()
        self.poller.stop()
        self.bus.close()
        self.fanouts.close()
        self.lanes.close()
