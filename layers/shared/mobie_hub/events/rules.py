"""The event bus's rules as data: each rule's EventBridge event pattern, defined once for the CDK
rules (``infra/constructs/events.py``) and the local pipeline (``local.pipeline``), which matches
the same patterns as EventBridge does (``local.event_patterns``).

A pattern matches the bus event ``{"source", "detail-type", "detail": <the envelope>}``; the
envelope's own ``detail`` is the domain event's (``events.envelope``).
"""

from __future__ import annotations

from typing import Any

from mobie_hub.events.envelope import DETAIL_TYPE, SOURCE
from mobie_hub.events.fanout import FANOUT_EVENTS, OWNER_EVENTS
from mobie_hub.events.sessions import EMSP, SESSION_COMPLETED

Pattern = dict[str, Any]


def _pattern(names: tuple[str, ...] | list[str], **detail: Any) -> Pattern:
    return {"source": [SOURCE], "detail-type": [DETAIL_TYPE], "detail": {"event_name": list(names), **detail}}


# Location events (many recipients) → the fan-out workflow.
FANOUT_PATTERN = _pattern(FANOUT_EVENTS)
# Session and CDR events (one recipient each) → the owner workflow.
OWNER_PATTERN = _pattern(OWNER_EVENTS)
# The EMSP's SessionCompleted → the creation of the CDR. The CPO's copy of the same completion
# (events.sessions.bills) would only find the CDR created: it costs no invocation. An event from before
# issue #16 names no role and is the EMSP's: EventBridge's anything-but does not match a missing
# field, so the pattern says "EMSP, or no role" with $or and exists (the content filtering docs).
CDR_CREATION_PATTERN = _pattern(
    [SESSION_COMPLETED],
    detail={"$or": [{"owner": {"role": [EMSP]}}, {"owner": {"role": [{"exists": False}]}}]},
)
