"""Which adapter fills which port: the factories a composition root (``mobie_hub.wiring``) provides.

A feature that needs an adapter it must not build itself (the OCPP gateway, the command workflow,
the audit sink, the outbound client) asks for it by port name with ``build``; ``wiring.aws.install``
(every Lambda handler) or ``wiring.local.install`` (the local hub) said beforehand which factory
answers. Features never import the wiring, and the wiring is the only code that imports across
feature implementations. A port nobody provided fails loudly (``NotComposed``) instead of guessing.
Tests install fakes through each feature's ``runtime.use`` (or ``provide`` a factory).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_factories: dict[str, Callable[..., Any]] = {}


class NotComposed(RuntimeError):
    """No composition root provided this port in this process."""


def provide(port: str, factory: Callable[..., Any]) -> None:
    """Say which factory builds ``port`` from now on (a later call replaces an earlier one)."""
    _factories[port] = factory


def build(port: str, *args: Any) -> Any:
    """A new adapter for ``port`` from the provided factory."""
    try:
        factory = _factories[port]
    except KeyError:
        raise NotComposed(
            f"no adapter for {port!r}: this process was not composed (mobie_hub.wiring.aws.install() in a "
            "Lambda handler, mobie_hub.wiring.local.install() in the local hub)"
        ) from None
    return factory(*args)


def provided() -> frozenset[str]:
    """The ports a factory was provided for (diagnostics and tests)."""
    return frozenset(_factories)
