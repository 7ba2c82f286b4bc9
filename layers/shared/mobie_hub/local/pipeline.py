"""The local event pipeline: stream poller → converter → in-process bus → fan-out → pushes.

The same functions as in AWS (``events.stream.events_from_records``, ``events.fanout.recipients`` and
``push``); only the transport between them differs (threads instead of Pipe, EventBridge, Step Functions).
"""

from __future__ import annotations

from mobie_hub.events.envelope import DomainEvent
from mobie_hub.events.fanout import ROUTES, push, recipients
from mobie_hub.events.publisher import InProcessBus
from mobie_hub.events.sessions import SESSION_COMPLETED
from mobie_hub.events.stream import events_from_records
from mobie_hub.local.streams import StreamPoller


def fan_out(event: DomainEvent) -> list[dict]:
    """What the Step Functions fan-out does, in-process: every recipient gets one push."""
    from mobie_hub.repositories.parties import get_party

    outcomes = []
    for key in recipients(event):
        party = get_party(key)
        if party is not None:
            outcomes.append(push(event, party))
    return outcomes


def create_cdr(event: DomainEvent) -> None:
    """What the EventBridge rule on SessionCompleted → functions/cdr_creation does in AWS."""
    from mobie_hub.sessions.cdr_creation import create_cdr_for

    create_cdr_for(event.detail["session_id"])


class LocalPipeline:
    def __init__(self) -> None:
        self.bus = InProcessBus()
        self.bus.subscribe(ROUTES, fan_out)
        self.bus.subscribe((SESSION_COMPLETED,), create_cdr)
        self.poller = StreamPoller(lambda records: self.bus.publish(events_from_records(records)))

    def __enter__(self) -> LocalPipeline:
        self.poller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.poller.stop()
        self.bus.close()
