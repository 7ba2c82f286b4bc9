"""What every credentials exchange shares: the hub's own Credentials object, the party's role in the
other side's Credentials, and the token items the hub writes for a party.

Roles (OCPI 2.2.1 credentials §7.3.1, profile §2): one Credentials object carries exactly one token,
and MOBI.E keeps separate credentials per role, so an exchange registers exactly one party record. The
``roles`` list the party sends must therefore name exactly one (role, country_code, party_id) — the
one being registered; a platform with several roles registers each with its own token.
The hub describes itself with two roles on PT/MOB: HUB (it is MOBI.E's hub) and CPO (in Phase 1 it is
also the CPO of every station, profile §1), so EMSPs can match the Locations they receive.
"""

from __future__ import annotations

from mobie_hub.core import credentials_tokens
from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.models import BusinessDetails, Role
from mobie_hub.core.settings import get_settings
from mobie_hub.parties.models import Credentials, CredentialsRole
from mobie_hub.parties.party import Party, PartyRef, Registration

HUB_ROLES = (Role.HUB, Role.CPO)


def hub_credentials(token: str) -> Credentials:
    """The hub's Credentials: ``token`` for the party to use, the hub's versions URL, its roles."""
    settings = get_settings()
    details = BusinessDetails(name=settings.hub.name, website=settings.hub.website)
    return Credentials(
        token=token,
        url=settings.ocpi_url("versions"),
        roles=[
            CredentialsRole(
                role=role,
                business_details=details,
                party_id=settings.hub.party_id,
                country_code=settings.hub.country_code,
            )
            for role in HUB_ROLES
        ],
    )


def party_role(credentials: Credentials, expected: PartyRef | None) -> CredentialsRole:
    """The one CredentialsRole an exchange registers (see the module docstring)."""
    roles = credentials.roles
    if expected is not None:
        matching = [
            r
            for r in roles
            if r.role == expected.role
            and (r.country_code.upper(), r.party_id.upper()) == (expected.country_code, expected.party_id)
        ]
        if not matching:
            raise InvalidRequest(
                f"must name {expected.label}, the party these credentials belong to; got "
                + ", ".join(f"{r.role.value} {r.country_code}/{r.party_id}" for r in roles),
                field="roles",
            )
    if len(roles) != 1:
        raise InvalidRequest(
            "MOBI.E keeps separate credentials per role (profile §2): send exactly one role per "
            "credentials exchange and register each other role with its own token",
            field="roles",
        )
    return roles[0]


def ref_of(role: CredentialsRole) -> PartyRef:
    return PartyRef(role=role.role, country_code=role.country_code, party_id=role.party_id)


def token_item(party: Party, token_hash: str) -> dict:
    """The item of a token the hub issued to ``party``: kind A while invited, C once registered."""
    return credentials_tokens.token_item_for_hash(
        token_hash,
        role=party.role.value,
        country_code=party.country_code,
        party_id=party.party_id,
        kind="C" if party.registration == Registration.REGISTERED else "A",
        cert_fingerprints=party.cert_fingerprints,
    )
