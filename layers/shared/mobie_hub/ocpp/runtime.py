"""The OCPP gateway of this process: the one installed with ``use`` (the local hub, tests), else the
one the composition root provides for port ``ocpp.gateway`` (``mobie_hub.wiring``), built once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mobie_hub.core import composition

if TYPE_CHECKING:
    from mobie_hub.ocpp.gateway import OcppGateway

PORT = "ocpp.gateway"

_installed: OcppGateway | None = None
_default: OcppGateway | None = None


def gateway(management_url: str | None = None) -> OcppGateway:
    """The process's gateway. ``management_url`` (from a WebSocket event) is passed to the factory,
    which uses it when the setting is absent."""
    global _default
    if _installed is not None:
        return _installed
    if _default is None:
        _default = composition.build(PORT, management_url)
    return _default


def use(installed: OcppGateway | None) -> None:
    """Install a gateway for this process (the local hub, tests); None goes back to the composed one."""
    global _installed, _default
    _installed, _default = installed, None
