"""The OCPI modules the hub serves, their interface role (profile §1, §6-§11) and what each needs.

One catalogue drives the versions details endpoint, the per-module Lambda apps, the local server and
the CDK wiring (which tables each module's function may read or write), so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from mobie_hub.core.models import VersionNumber as OcpiVersion
from mobie_hub.core.versions import InterfaceRole

# The OCPI versions the hub offers, preferred first (profile §4: 2.2, plus the 2.2.1 errata release).
SUPPORTED_VERSIONS: tuple[OcpiVersion, ...] = (OcpiVersion.V2_2_1, OcpiVersion.V2_2)


@dataclass(frozen=True)
class OcpiModule:
    """One OCPI module as the hub implements it.

    ``reads``/``writes`` name table keys from ``mobie_hub.core.tables`` — the CDK grants the
    module's Lambda exactly these, nothing more. ``calls_out`` marks modules that call parties back
    (credentials handshake), which need a longer timeout.
    """

    identifier: str
    role: InterfaceRole | None
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    calls_out: bool = False

    @property
    def in_details(self) -> bool:
        """versions is not listed in the details endpoint it serves."""
        return self.role is not None


# Every module authenticates the caller against the parties table, hence "parties" in every `reads`.
MODULES: tuple[OcpiModule, ...] = (
    OcpiModule("versions", None, reads=("parties",)),
    # credentials: OCPI has no sender/receiver split for this module; 2.2.1 examples list it as SENDER.
    OcpiModule("credentials", InterfaceRole.SENDER, writes=("parties",), calls_out=True),
    OcpiModule("locations", InterfaceRole.SENDER, reads=("parties", "locations"), writes=("ephemeral",)),
    OcpiModule("sessions", InterfaceRole.SENDER, reads=("parties", "sessions")),
    OcpiModule("cdrs", InterfaceRole.SENDER, reads=("parties", "cdrs")),
    OcpiModule("tariffs", InterfaceRole.SENDER, reads=("parties", "tariffs"), writes=("ephemeral",)),
    OcpiModule("tokens", InterfaceRole.RECEIVER, reads=("parties",), writes=("tokens",)),
    OcpiModule(
        "commands",
        InterfaceRole.RECEIVER,
        reads=("parties", "tokens", "locations", "stations"),
        writes=("sessions", "commands"),
    ),
    # The hub is the sender of ClientInfo (hubclientinfo module: "typically the Hub").
    OcpiModule("hubclientinfo", InterfaceRole.SENDER, reads=("parties",)),
)
MODULES_BY_ID = {module.identifier: module for module in MODULES}
