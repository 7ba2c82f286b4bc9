"""A party connected to the hub: one record per (role, country_code, party_id) (profile §2).

OCPI carries one token each way per credentials exchange, so the hub keeps one credentials record —
and one token pair — per role of a platform; a platform holding several roles registers each with
its own token (docs/architecture.md, "Parties and credentials").

Tokens: ``party_token`` is the token the party gave the hub for calls to it (stored usable);
the tokens the hub issued to the party are stored only as SHA-256 hashes (``hub_token_hash`` and,
after a renewal whose answer never arrived, ``pending_hub_token_hash``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from mobie_hub.core.models import BusinessDetails, Role
from mobie_hub.core.types import CountryCode, PartyId, utcnow
from mobie_hub.core.versions import Endpoint, InterfaceRole
from mobie_hub.parties.models import ClientInfo, ConnectionStatus


class Registration(StrEnum):
    """Where a party is in the credentials lifecycle."""

    INVITED = "INVITED"  # the hub issued a token A; the party has not POSTed its credentials yet
    REGISTERED = "REGISTERED"  # credentials exchanged both ways
    UNREGISTERED = "UNREGISTERED"  # DELETE credentials (either side); kept so HubClientInfo says SUSPENDED


# ClientInfo status implied by each registration state; REGISTERED parties are CONNECTED or OFFLINE.
STATUS_OF = {
    Registration.INVITED: ConnectionStatus.PLANNED,
    Registration.REGISTERED: ConnectionStatus.CONNECTED,
    Registration.UNREGISTERED: ConnectionStatus.SUSPENDED,
}


UpperCountryCode = Annotated[CountryCode, AfterValidator(str.upper)]
UpperPartyId = Annotated[PartyId, AfterValidator(str.upper)]


class PartyRef(BaseModel):
    """Names one party record: role + country_code + party_id (case-insensitive, stored upper-case)."""

    role: Role = Role.EMSP
    country_code: UpperCountryCode
    party_id: UpperPartyId

    @property
    def key(self) -> str:
        return f"PARTY#{self.role.value}#{self.country_code}#{self.party_id}"

    @property
    def label(self) -> str:
        """How logs and messages name the party: ``EMSP PT/EDP``."""
        return f"{self.role.value} {self.country_code}/{self.party_id}"


class Party(PartyRef):
    """The hub's record of one party (role + country_code + party_id)."""

    registration: Registration
    connection_status: ConnectionStatus
    business_details: BusinessDetails | None = None
    versions_url: str | None = None
    version: str | None = None
    endpoints: list[Endpoint] = Field(default_factory=list)
    party_token: str | None = Field(default=None, repr=False)
    hub_token_hash: str | None = None
    pending_hub_token_hash: str | None = None
    cert_fingerprints: list[str] = Field(default_factory=list)
    cert_subject: str | None = None
    cert_issuer: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    registered_at: datetime | None = None
    credentials_changed_at: datetime | None = None
    last_updated: datetime = Field(default_factory=utcnow)  # of the ClientInfo: status or identity changed
    revision: int = 0  # optimistic concurrency: every write is conditional on the revision it read

    def endpoint_url(self, module: str, interface: InterfaceRole | None = None) -> str | None:
        """The party's URL for ``module`` (in ``interface`` role when given), or None.

        ``credentials`` is symmetric (OCPI 2.2.1 credentials §1.5): any role the party lists will do.
        """
        candidates = [e for e in self.endpoints if str(e.identifier) == module]
        if interface is not None and module != "credentials":
            candidates = [e for e in candidates if e.role == interface]
        return candidates[0].url if candidates else None

    def hub_token_hashes(self) -> list[str]:
        return [h for h in (self.hub_token_hash, self.pending_hub_token_hash) if h]

    def client_info(self) -> ClientInfo:
        return ClientInfo(
            party_id=self.party_id,
            country_code=self.country_code,
            role=self.role,
            status=self.connection_status,
            last_updated=self.last_updated,
        )

    def public_view(self) -> dict:
        """What operators see (``parties list/show``): never a token, not even hashed."""
        return self.model_dump(
            mode="json",
            exclude={"party_token", "hub_token_hash", "pending_hub_token_hash", "revision"},
            exclude_none=True,
        ) | {"has_party_token": self.party_token is not None}
