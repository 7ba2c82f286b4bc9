"""OCPI 2.2.1 mod_hub_client_info §15.4-§15.5: ClientInfo, which MOBI.E as hub sends to its parties."""

from __future__ import annotations

from enum import StrEnum

from mobie_hub.models.common import OcpiModel, Role
from mobie_hub.types import CountryCode, OcpiDateTime, PartyId


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
