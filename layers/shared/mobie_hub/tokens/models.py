"""OCPI 2.2.1 mod_tokens §12.3-§12.4: Token, AuthorizationInfo and their parts.

EMSPs keep their tokens in sync with MOBI.E, which authorises from that whitelist (profile §10).
``TokenType`` lives in ``common`` because Locations and CDRs use it as well.
"""

from __future__ import annotations

from enum import StrEnum

from mobie_hub.core.models import DisplayText, OcpiModel, PartyLastUpdated, ProfileType, TokenType
from mobie_hub.core.types import CiString36, CountryCode, PartyId, String2, String64


class AllowedType(StrEnum):
    """OCPI 2.2.1 mod_tokens §12.4.1 AllowedType."""

    ALLOWED = "ALLOWED"
    BLOCKED = "BLOCKED"
    EXPIRED = "EXPIRED"
    NO_CREDIT = "NO_CREDIT"
    NOT_ALLOWED = "NOT_ALLOWED"


class WhitelistType(StrEnum):
    """OCPI 2.2.1 mod_tokens §12.4.5 WhitelistType."""

    ALWAYS = "ALWAYS"
    ALLOWED = "ALLOWED"
    ALLOWED_OFFLINE = "ALLOWED_OFFLINE"
    NEVER = "NEVER"


class EnergyContract(OcpiModel):
    """OCPI 2.2.1 mod_tokens §12.4.2 EnergyContract (MOBI.E: supplier code and ``CT_…`` contract id)."""

    supplier_name: String64
    contract_id: String64 | None = None


class LocationReferences(OcpiModel):
    """OCPI 2.2.1 mod_tokens §12.4.3 LocationReferences."""

    location_id: CiString36
    evse_uids: list[CiString36] | None = None


class Token(OcpiModel):
    """OCPI 2.2.1 mod_tokens §12.3.2 Token (same fields in 2.2)."""

    country_code: CountryCode
    party_id: PartyId
    uid: CiString36
    type: TokenType
    contract_id: CiString36
    visual_number: String64 | None = None
    issuer: String64
    group_id: CiString36 | None = None
    valid: bool
    whitelist: WhitelistType
    language: String2 | None = None
    default_profile_type: ProfileType | None = None
    energy_contract: EnergyContract | None = None
    last_updated: PartyLastUpdated  # at most a few minutes ahead (issue #12): it once decided ownership


class AuthorizationInfo(OcpiModel):
    """OCPI 2.2.1 mod_tokens §12.3.1 AuthorizationInfo."""

    allowed: AllowedType
    token: Token
    location: LocationReferences | None = None
    authorization_reference: CiString36 | None = None
    info: DisplayText | None = None
