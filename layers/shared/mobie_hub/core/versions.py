"""OCPI 2.2.1 mod_versions §6: the versions list and the version details.

``version`` and ``identifier`` take the known enum values first but accept any other string: a peer
may offer versions newer than this hub knows, and custom modules (§6.2.5.1).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from mobie_hub.core.models import OcpiModel, VersionNumber
from mobie_hub.core.types import URL, CiString255, String36


class InterfaceRole(StrEnum):
    """OCPI 2.2.1 mod_versions §6.2.3 InterfaceRole."""

    SENDER = "SENDER"
    RECEIVER = "RECEIVER"


class ModuleID(StrEnum):
    """OCPI 2.2.1 mod_versions §6.2.4 ModuleID."""

    CDRS = "cdrs"
    CHARGING_PROFILES = "chargingprofiles"
    COMMANDS = "commands"
    CREDENTIALS = "credentials"
    HUB_CLIENT_INFO = "hubclientinfo"
    LOCATIONS = "locations"
    SESSIONS = "sessions"
    TARIFFS = "tariffs"
    TOKENS = "tokens"


AnyVersion = Annotated[VersionNumber | String36, Field(union_mode="left_to_right")]
AnyModule = Annotated[ModuleID | CiString255, Field(union_mode="left_to_right")]


class Version(OcpiModel):
    """OCPI 2.2.1 mod_versions §6.1.2 Version."""

    version: AnyVersion
    url: URL


class Endpoint(OcpiModel):
    """OCPI 2.2.1 mod_versions §6.2.2 Endpoint (``role`` is required from 2.2 on)."""

    identifier: AnyModule
    role: InterfaceRole
    url: URL


class VersionDetails(OcpiModel):
    """OCPI 2.2.1 mod_versions §6.2.1 version details data."""

    version: AnyVersion
    endpoints: Annotated[list[Endpoint], Field(min_length=1)]
