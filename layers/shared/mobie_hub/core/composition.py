"""Which adapter fills which port: the factories a composition root (``mobie_hub.wiring``) provides.

A feature that needs an adapter it must not build itself (the OCPP gateway, the command workflow,
the audit sink, the outbound client) declares a ``Port`` and asks it for the adapter; the port
builds it once from the factory that ``wiring.aws.install`` (every Lambda handler) or
``wiring.local.install`` (the local hub) provided under its name. Features never import the wiring,
and the wiring is the only code that imports across feature implementations. A port nobody provided
fails loudly (``NotComposed``) instead of guessing. Tests install a fake with ``Port.use`` (through
the feature's ``runtime.use``), the one way adapters are injected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

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


class Port(Generic[T]):
    """One adapter of this process: the one installed with ``use`` (the local hub, tests), else the
    one built once by the factory provided for ``name``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._installed: T | None = None
        self._built: T | None = None

    def get(self, *args: Any) -> T:
        """The adapter; ``args`` reach the factory the first time it builds."""
        if self._installed is not None:
            return self._installed
        if self._built is None:
            self._built = build(self.name, *args)
        return self._built

    def use(self, adapter: T | None) -> None:
        """Install ``adapter`` for this process; None goes back to the provided factory (rebuilt)."""
        self._installed, self._built = adapter, None
