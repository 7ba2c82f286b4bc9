"""The OCPI modules the hub serves, their interface roles per caller role (profile §1, §6-§11; issue #16)
and what each needs.

One catalogue drives the versions details endpoint (per caller role), the access rule of
``mobie_hub.ocpi.auth`` (a caller reaches only the interfaces its role is offered), the per-module
Lambda apps, the local server and the CDK wiring (which tables each module's function may read or
write), so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from mobie_hub.core.models import Role
from mobie_hub.core.models import VersionNumber as OcpiVersion
from mobie_hub.core.versions import InterfaceRole

# The OCPI versions the hub offers, preferred first (profile §4: 2.2, plus the 2.2.1 errata release).
SUPPORTED_VERSIONS: tuple[OcpiVersion, ...] = (OcpiVersion.V2_2_1, OcpiVersion.V2_2)

SENDER, RECEIVER = InterfaceRole.SENDER, InterfaceRole.RECEIVER

# One (caller role, interface role) pair per interface a caller of that role may use.
Offer = tuple[Role, InterfaceRole]


def offered(interface: InterfaceRole, *callers: Role) -> tuple[Offer, ...]:
    return tuple((caller, interface) for caller in callers)


@dataclass(frozen=True)
class OcpiModule:
    """One OCPI module as the hub implements it.

    ``role`` is the interface the module's routes serve unless a route names another (``caller_for``);
    ``offers`` the interfaces each caller role may use, in the order the versions details list them.
    ``reads``/``writes`` name table keys from ``mobie_hub.core.tables`` — the CDK grants the
    module's Lambda exactly these, nothing more. ``calls_out`` marks modules that call parties back
    (credentials handshake), which need a longer timeout.
    """

    identifier: str
    role: InterfaceRole | None
    offers: tuple[Offer, ...] = ()
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    calls_out: bool = False

    @property
    def in_details(self) -> bool:
        """versions is not listed in the details endpoint it serves."""
        return self.role is not None

    def interfaces_for(self, caller_role: str) -> tuple[InterfaceRole, ...]:
        """The interfaces of this module a caller of ``caller_role`` may use (none: not its module)."""
        return tuple(interface for role, interface in self.offers if role.value == caller_role)

    def allows(self, caller_role: str, interface: InterfaceRole | None = None) -> bool:
        """May a caller of ``caller_role`` use ``interface`` (default: the module's ``role``)?
        versions, which every party reads to register, allows everyone."""
        if self.role is None:
            return True
        return (interface or self.role) in self.interfaces_for(caller_role)


# Every module authenticates the caller against the parties table, hence "parties" in every `reads`.
# EMSPs see what they saw in Phase 1; CPOs (issue #16, contract §6) read locations, sessions and cdrs
# (their stations' objects), push their tariffs (the tariffs receiver) and read hubclientinfo: not
# tokens, not commands. Parties of any other role are offered credentials only.
MODULES: tuple[OcpiModule, ...] = (
    OcpiModule("versions", None, reads=("parties",)),
    # credentials: OCPI has no sender/receiver split for this module; 2.2.1 examples list it as SENDER.
    # Every registered role manages its own credentials (PUT, DELETE, GET).
    OcpiModule(
        "credentials", SENDER, offers=offered(SENDER, *Role), writes=("parties",), calls_out=True
    ),
    OcpiModule(
        "locations",
        SENDER,
        offers=offered(SENDER, Role.EMSP, Role.CPO),
        reads=("parties", "locations"),
        writes=("ephemeral",),
    ),
    OcpiModule("sessions", SENDER, offers=offered(SENDER, Role.EMSP, Role.CPO), reads=("parties", "sessions")),
    OcpiModule("cdrs", SENDER, offers=offered(SENDER, Role.EMSP, Role.CPO), reads=("parties", "cdrs")),
    # tariffs: EMSPs GET the list (sender); CPOs PUT/PATCH/DELETE/GET theirs at the receiver
    # (/tariffs/{cc}/{pid}/{id}), which writes the tariffs table.
    OcpiModule(
        "tariffs",
        SENDER,
        offers=(*offered(SENDER, Role.EMSP), *offered(RECEIVER, Role.CPO)),
        reads=("parties", "tariffs"),
        writes=("tariffs", "ephemeral"),
    ),
    OcpiModule("tokens", RECEIVER, offers=offered(RECEIVER, Role.EMSP), reads=("parties",), writes=("tokens",)),
    OcpiModule(
        "commands",
        RECEIVER,
        offers=offered(RECEIVER, Role.EMSP),
        reads=("parties", "tokens", "locations", "stations"),
        writes=("sessions", "commands"),
    ),
    # The hub is the sender of ClientInfo (hubclientinfo module: "typically the Hub").
    OcpiModule("hubclientinfo", SENDER, offers=offered(SENDER, Role.EMSP, Role.CPO), reads=("parties",)),
)
MODULES_BY_ID = {module.identifier: module for module in MODULES}


def endpoints_for(caller_role: str) -> list[tuple[str, InterfaceRole]]:
    """(module, interface) pairs the versions details list for a caller of ``caller_role``."""
    return [
        (module.identifier, interface)
        for module in MODULES
        if module.in_details
        for interface in module.interfaces_for(caller_role)
    ]
