"""The OCPP Central System of this process: the one installed with ``use`` (the local hub, tests), else the
one the composition root provides for port ``ocpp.central_system`` (``mobie_hub.wiring``), built once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mobie_hub.core.composition import Port

if TYPE_CHECKING:
    from mobie_hub.ocpp.central_system import CentralSystem

CENTRAL_SYSTEM: Port[CentralSystem] = Port("ocpp.central_system")


def central_system(management_url: str | None = None) -> CentralSystem:
    """The process's central system. ``management_url`` (from a WebSocket event) is passed to the factory,
    which uses it when the setting is absent."""
    return CENTRAL_SYSTEM.get(management_url)


def use(installed: CentralSystem | None) -> None:
    """Install a central system for this process (the local hub, tests); None goes back to the composed one."""
    CENTRAL_SYSTEM.use(installed)
