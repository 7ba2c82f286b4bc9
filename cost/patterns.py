"""EventBridge event pattern matching, as far as the stack's patterns use it: what the cost model's
harness needs to decide which Pipe filter lets a stream record through and which rule an event starts."""

from __future__ import annotations

from typing import Any


def matches_pattern(pattern: dict[str, Any], event: Any) -> bool:
    """EventBridge pattern matching: exact values, ``prefix``, ``anything-but``, ``exists``, nesting,
    ``$or`` (any of its patterns, at the level it stands)."""
    for field_name, expected in pattern.items():
        if field_name == "$or":
            if not any(matches_pattern(alternative, event) for alternative in expected):
                return False
            continue
        value = event.get(field_name) if isinstance(event, dict) else None
        if isinstance(expected, dict):
            if not matches_pattern(expected, value):
                return False
        elif not any(_matches_one(rule, value, field_name in (event or {})) for rule in expected):
            return False
    return True


def _matches_one(rule: Any, value: Any, present: bool) -> bool:
    if not isinstance(rule, dict):
        return value == rule or (isinstance(value, list) and rule in value)
    if "prefix" in rule:
        return isinstance(value, str) and value.startswith(rule["prefix"])
    if "exists" in rule:
        return present is rule["exists"]
    if "anything-but" in rule:
        excluded = rule["anything-but"]  # like every value filter, only on a field that is there
        return present and value not in (excluded if isinstance(excluded, list) else [excluded])
    raise ValueError(f"an event pattern the model does not know: {rule}")
