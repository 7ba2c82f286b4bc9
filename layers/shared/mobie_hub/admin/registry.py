"""The admin operations by name. Each takes a JSON-able payload and returns a JSON-able dict.

Operations register themselves with ``@operation("parties.invite")``; modules holding operations are
listed in ``OPERATION_MODULES`` and imported on first dispatch, so a cold start loads only what runs.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from pydantic import ValidationError

from mobie_hub.core import validation
from mobie_hub.core.errors import HubError, InvalidRequest

Operation = Callable[[dict[str, Any]], dict[str, Any]]

OPERATION_MODULES: tuple[str, ...] = (
    "mobie_hub.admin.status",
    "mobie_hub.parties.admin",
    "mobie_hub.locations.admin",
    "mobie_hub.ocpp.admin",
    "mobie_hub.tokens.admin",
    "mobie_hub.cdrs.credit_admin",
    "mobie_hub.audit.admin",
    "mobie_hub.cdrs.admin",
)

_OPERATIONS: dict[str, Operation] = {}


def operation(name: str) -> Callable[[Operation], Operation]:
    def register(function: Operation) -> Operation:
        if name in _OPERATIONS:
            raise ValueError(f"admin operation {name!r} registered twice")
        _OPERATIONS[name] = function
        return function

    return register


def operations() -> dict[str, Operation]:
    for module in OPERATION_MODULES:
        import_module(module)
    return dict(_OPERATIONS)


def dispatch(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Run one operation. Domain errors propagate (callers map them); bad payloads are InvalidRequest."""
    handler = operations().get(name)
    if handler is None:
        raise InvalidRequest(f"unknown admin operation {name!r}; known: {', '.join(sorted(operations()))}")
    try:
        return handler(payload)
    except ValidationError as exc:
        # Raised inside an operation's own parsing: every problem (up to 5) named, not only the first.
        raise InvalidRequest(validation.describe(exc, whole="payload", most=5)) from exc


def error_payload(exc: HubError) -> dict[str, Any]:
    return {"error": type(exc).__name__, "message": exc.message}
