"""The harness delivers events on the bus as EventBridge would: to every rule whose pattern matches,
each target once; a target it cannot run is named, not silently free."""

from __future__ import annotations

from typing import Any

from cost.facts import Function, Rule, StackFacts
from cost.harness import Harness
from cost.recorder import Recorder

FACTS = StackFacts(
    functions={"cdr-creation": Function("cdr-creation", "cdr_creation", "handler", 512, True, True)},
    rules=[
        Rule({"detail": {"event_name": ["SessionCompleted"]}}, (("function", "cdr-creation"), ("unmodeled", "queue"))),
        Rule({"detail": {"event_name": ["EvseStatusChanged"]}}, (("function", "cdr-creation"),)),
    ],
)


class RecordingHarness(Harness):
    """The harness with a handler that records its events instead of running functions/<source>."""

    def __init__(self, facts: StackFacts, recorder: Recorder) -> None:
        super().__init__(facts, recorder)
        self.invoked: list[tuple[str, Any]] = []

    def handler(self, service: str):
        return lambda event, context: self.invoked.append((service, event))


def test_an_event_reaches_the_targets_of_the_rules_it_matches_and_an_unmodeled_target_is_named():
    recorder = Recorder({}, platform_log_bytes=300, memory_mb={})
    harness = RecordingHarness(FACTS, recorder)
    event = {"source": "mobie-hub", "detail-type": "DomainEvent", "detail": {"event_name": "SessionCompleted"}}

    with recorder.usage() as usage:
        harness.deliver(event)

    assert harness.invoked == [("cdr-creation", event)]
    assert harness.unmodeled == {"queue"}
    assert usage["lambda.requests|cdr-creation"] == 1 and usage["events.deliveries"] == 1
    assert usage["logs.bytes|cdr-creation"] == 300  # Lambda's own lines, nothing printed
