"""The OCPP gateway of this process: the one installed with ``use`` (the local hub, tests), else the
one the composition root provides for port ``ocpp.gateway`` (``mobie_hub.wiring``), built once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mobie_hub.core.composition import Port

if TYPE_CHECKING:
    from mobie_hub.ocpp.gateway import OcppGateway

GATEWAY: Port[OcppGateway] = Port("ocpp.gateway")


def gateway(management_url: str | None = None) -> OcppGateway:
    """The process's gateway. ``management_url`` (from a WebSocket event) is passed to the factory,
    which uses it when the setting is absent."""
    return GATEWAY.get(management_url)


def use(installed: OcppGateway | None) -> None:
    """Install a gateway for this process (the local hub, tests); None goes back to the composed one."""
    GATEWAY.use(installed)
