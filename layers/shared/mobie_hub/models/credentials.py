"""OCPI 2.2.1 credentials §7.3-§7.4: Credentials and CredentialsRole (same in 2.2)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from mobie_hub.models.common import BusinessDetails, OcpiModel, Role
from mobie_hub.types import URL, CountryCode, PartyId

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
