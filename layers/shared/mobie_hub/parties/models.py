"""The parties' OCPI objects: credentials §7.3-§7.4 (Credentials, CredentialsRole; same in 2.2) and
mod_hub_client_info §15.4-§15.5 (ClientInfo, which MOBI.E as hub sends to its parties)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from mobie_hub.core.models import BusinessDetails, OcpiModel, Role
from mobie_hub.core.types import URL, CountryCode, OcpiDateTime, PartyId

CredentialsToken = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")]
"""string(64) of printable, non-whitespace ASCII (credentials §7.3.1: U+0021 to U+007E)."""


class CredentialsRole(OcpiModel):
    """OCPI 2.2.1 credentials §7.4.1 CredentialsRole."""

    role: Role
    business_details: BusinessDetails
    party_id: PartyId
    country_code: CountryCode


class Credentials(OcpiModel):
    """OCPI 2.2.1 credentials §7.3.1 Credentials."""

    token: CredentialsToken
    url: URL
    roles: Annotated[list[CredentialsRole], Field(min_length=1)]


class ConnectionStatus(StrEnum):
    """OCPI 2.2.1 mod_hub_client_info §15.5.1 ConnectionStatus."""

    CONNECTED = "CONNECTED"
    OFFLINE = "OFFLINE"
    PLANNED = "PLANNED"
    SUSPENDED = "SUSPENDED"


class ClientInfo(OcpiModel):
    """OCPI 2.2.1 mod_hub_client_info §15.4.1 ClientInfo."""

    party_id: PartyId
    country_code: CountryCode
    role: Role
    status: ConnectionStatus
    last_updated: OcpiDateTime
