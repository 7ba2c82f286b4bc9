"""The event publisher port: EventBridge in AWS (used where code emits events directly), the
in-process bus locally. Stream-derived events reach the bus through the Pipe instead."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from mobie_hub.core.observability import logger
from mobie_hub.events.envelope import DETAIL_TYPE, SOURCE, DomainEvent


class EventPublisher(Protocol):
    def publish(self, events: list[DomainEvent]) -> None: ...


class PublishFailed(Exception):
    """EventBridge refused some entries of a PutEvents batch (a partial failure is an error)."""


class EventBridgePublisher:
    """PutEvents in batches of 10 (the API's limit); any failed entry raises."""

    def __init__(self, bus_name: str, client: Any | None = None) -> None:
        self.bus_name = bus_name
        self._client = client

    def _events_client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("events")
        return self._client

    def publish(self, events: list[DomainEvent]) -> None:
        for start in range(0, len(events), 10):
            entries = [
                {"Source": SOURCE, "DetailType": DETAIL_TYPE, "EventBusName": self.bus_name,
                 "Detail": json.dumps(event.as_json())}
                for event in events[start : start + 10]
            ]
            response = self._events_client().put_events(Entries=entries)
            if response.get("FailedEntryCount"):
                failed = [e.get("ErrorCode") for e in response["Entries"] if "ErrorCode" in e]
                raise PublishFailed(f"EventBridge refused {len(failed)} of {len(entries)} events: {failed}")


Handler = Callable[[DomainEvent], None]


class InProcessBus:
    """The local bus: each subscription has its own worker thread, so the caller never waits, a
    subscription sees events in the order they were published, and a slow handler holds up only its
    own subscription (a handler that calls parties hands the calls on: ``local.pipeline``)."""

    def __init__(self) -> None:
        self._handlers: list[tuple[Callable[[DomainEvent], bool], Handler, ThreadPoolExecutor]] = []

    def subscribe(self, names: Iterable[str], handler: Handler) -> None:
        wanted = frozenset(names)
        worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"bus-{len(self._handlers)}")
        self._handlers.append((lambda event: event.event_name in wanted, handler, worker))

    def publish(self, events: list[DomainEvent]) -> None:
        for event in events:
            for matches, handler, worker in self._handlers:
                if matches(event):
                    worker.submit(self._run, handler, event)

    @staticmethod
    def _run(handler: Handler, event: DomainEvent) -> None:
        try:
            handler(event)
        except Exception:  # a handler bug must not kill the bus thread; it is logged with its traceback
            logger.exception("event handler failed", event_name=event.event_name)

    def close(self) -> None:
        for _, _, worker in self._handlers:
            worker.shutdown(wait=True)
