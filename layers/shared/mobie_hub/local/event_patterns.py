"""The event bus's rules, locally: a domain event goes to a rule's handler when the rule's EventBridge
pattern (``events.rules``) matches it, matched as EventBridge matches it.

The matching is moto's EventBridge pattern engine (the local hub embeds moto already): equality,
``prefix``, ``anything-but``, ``exists`` (a field absent, not one that is null) and ``$or`` behave as
in AWS, so a rule that filters on content (the CDR creation: the EMSP's event, or one naming no
role) filters the same events locally. moto matches an operator it does not know as true, so a
pattern is checked here first: an unknown operator (a typo would match every event) or a malformed
one fails when the pipeline starts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.events.models import EventPattern

from mobie_hub.events.envelope import DETAIL_TYPE, SOURCE, DomainEvent
from mobie_hub.events.rules import Pattern

# The content filters moto evaluates (moto.events.models.EventPattern), each {operator: operand}.
OPERATORS = frozenset({"prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr", "wildcard"})


def bus_event(event: DomainEvent) -> dict:
    """The event as the bus carries it (the Pipe's target puts the envelope as ``detail``)."""
    return {"source": SOURCE, "detail-type": DETAIL_TYPE, "detail": event.as_json()}


class Rule:
    """One rule: its pattern, and the event names it can match (what the in-process bus routes by)."""

    def __init__(self, pattern: Pattern) -> None:
        _check(pattern)
        self._pattern = EventPattern.load(json.dumps(pattern))
        self.event_names: tuple[str, ...] = tuple(pattern["detail"]["event_name"])

    def matches(self, event: DomainEvent) -> bool:
        return self._pattern.matches_event(bus_event(event))

    def target(self, handler: Callable[[DomainEvent], None]) -> Callable[[DomainEvent], None]:
        """``handler``, called with the events this rule matches only."""

        def matched(event: DomainEvent) -> None:
            if self.matches(event):
                handler(event)

        return matched


def _check(node: dict[str, Any], path: str = "") -> None:
    """Refuse a pattern moto would match wrongly: an unknown operator, a non-boolean ``exists``."""
    for name, value in node.items():
        where = f"{path}.{name}" if path else name
        if name == "$or":
            if not isinstance(value, list) or len(value) < 2 or not all(isinstance(v, dict) for v in value):
                raise ValueError(f"{where}: $or takes a list of at least two patterns")
            for alternative in value:
                _check(alternative, path)
        elif isinstance(value, dict):
            _check(value, where)
        elif isinstance(value, list) and value:
            for matcher in value:
                if isinstance(matcher, dict):
                    _check_operator(matcher, where)
        else:
            raise ValueError(f"{where}: a pattern's value is an object or a non-empty list")


def _check_operator(matcher: dict[str, Any], where: str) -> None:
    if len(matcher) != 1 or next(iter(matcher)) not in OPERATORS:
        raise ValueError(f"{where}: unknown content filter {matcher!r} (known: {', '.join(sorted(OPERATORS))})")
    if "exists" in matcher and not isinstance(matcher["exists"], bool):
        raise ValueError(f"{where}: exists takes true or false, not {matcher['exists']!r}")
