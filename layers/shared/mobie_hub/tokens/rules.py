"""MOBI.E's rules for EMSP tokens (profile §10, §11, §12): what the hub accepts, the OCPP idTag of a
token, and the OCPP 1.6 authorisation status a stored token earns. Pure functions: no I/O.

- ``violations`` / ``check_token``: the profile rules on top of the OCPI model's own (types, lengths).
- ``merge_patch``: an OCPI PATCH applied to the stored token (mod_tokens §12.2.2.3).
- ``id_tag_for``: the OCPP idTag a token is known by at the stations (profile §11 choice).
- ``authorization_status``: Accepted / Blocked / Expired / Invalid for Authorize and StartTransaction.
- ``resolve_id_tag`` / ``other_valid_owners``: who holds an idTag. Never decided by a date the party
  sends (issue #12): one valid token of a registered party, else nobody (an ambiguous idTag fails closed).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from mobie_hub.core import ownership, validation
from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.identifiers import InvalidIdentifier, parse_contract_id
from mobie_hub.core.models import TokenType, dump_ocpi
from mobie_hub.core.types import utcnow
from mobie_hub.tokens.models import Token, WhitelistType

NATIONAL_COUNTRY = "PT"
"""Profile §10/§12: MOBI.E's tokens and contract ids are Portuguese."""

ACCEPTED_TYPES = frozenset({TokenType.RFID, TokenType.APP_USER, TokenType.AD_HOC_USER})
"""Profile §10 lists these three; OCPI's OTHER has no meaning at MOBI.E's stations."""

GENERATED_UID_TYPES = frozenset({TokenType.APP_USER, TokenType.AD_HOC_USER})
"""Token types whose uid the EMSP generates: a UUID (profile §10), too long for an OCPP 1.6 idTag."""

ID_TAG_LENGTH = 20
"""OCPP 1.6 IdToken is CiString20Type."""

ENERGY_CONTRACT_PREFIX = "CT_"

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class Violation:
    """One broken rule: the field it concerns (dotted path) and why."""

    field: str
    message: str


def _same(a: str, b: str) -> bool:
    # country_code, party_id and uid are CiStrings: compared without regard to case.
    return a.upper() == b.upper()


def _contract_id_violation(token: Token) -> Violation | None:
    try:
        parsed = parse_contract_id(token.contract_id)
    except InvalidIdentifier as exc:
        return Violation("contract_id", f"must be an eMA ID like PT-EDP-C-1234ABCD-J ({exc})")
    if parsed.country_code != NATIONAL_COUNTRY:
        return Violation(
            "contract_id", f"must be a {NATIONAL_COUNTRY} eMA ID, got country {parsed.country_code}"
        )
    if not _same(parsed.provider_id, token.party_id):
        return Violation(
            "contract_id",
            f"provider {parsed.provider_id} is not the token's party_id {token.party_id.upper()}",
        )
    return None


def _uid_violation(token: Token) -> Violation | None:
    if not token.uid.strip():
        return Violation("uid", "must not be empty")
    if token.type in GENERATED_UID_TYPES and not _UUID.fullmatch(token.uid):
        return Violation("uid", f"a {token.type} token's uid must be a UUID")
    if token.type == TokenType.RFID and len(token.uid) > ID_TAG_LENGTH:
        # Profile §11: RFID uids are sent to stations as they are, and an OCPP 1.6 idTag holds 20.
        return Violation("uid", f"an RFID uid is used as the OCPP idTag: at most {ID_TAG_LENGTH} characters")
    return None


def _energy_contract_violations(token: Token) -> list[Violation]:
    contract = token.energy_contract
    if contract is None:
        return [Violation("energy_contract", "is required by MOBI.E (supplier_name and a CT_ contract_id)")]
    found = []
    if not contract.supplier_name.strip():
        found.append(Violation("energy_contract.supplier_name", "must name the energy supplier"))
    if not contract.contract_id or not contract.contract_id.startswith(ENERGY_CONTRACT_PREFIX):
        found.append(Violation("energy_contract.contract_id", f"must start with {ENERGY_CONTRACT_PREFIX}"))
    return found


def violations(token: Token, *, owner_country_code: str, owner_party_id: str) -> list[Violation]:
    """Every profile rule ``token`` breaks, in field order; empty when MOBI.E accepts it.

    ``owner_*`` is the party the token is sent by (the caller, or the EMSP a pull sync reads from).
    """
    found: list[Violation] = []
    if not _same(token.country_code, owner_country_code):
        found.append(Violation("country_code", f"must be the sending party's {owner_country_code.upper()}"))
    elif not _same(token.country_code, NATIONAL_COUNTRY):
        found.append(Violation("country_code", f"must be {NATIONAL_COUNTRY}"))
    if not _same(token.party_id, owner_party_id):
        found.append(Violation("party_id", f"must be the sending party's {owner_party_id.upper()}"))
    if token.type not in ACCEPTED_TYPES:
        found.append(Violation("type", f"must be one of {', '.join(sorted(ACCEPTED_TYPES))}"))
    elif uid_problem := _uid_violation(token):
        found.append(uid_problem)
    if contract_problem := _contract_id_violation(token):
        found.append(contract_problem)
    if not token.issuer.strip():
        found.append(Violation("issuer", "must name the issuing company"))
    if token.whitelist != WhitelistType.ALWAYS:
        # Profile §10: all authorisation happens at MOBI.E from the whitelist (no real-time authorisation).
        found.append(Violation("whitelist", f"must be ALWAYS, got {token.whitelist}"))
    found.extend(_energy_contract_violations(token))
    return found


def check_token(token: Token, *, owner_country_code: str, owner_party_id: str) -> Token:
    """``token`` if MOBI.E accepts it, else ``InvalidRequest`` (OCPI 2001) naming the first field."""
    found = violations(token, owner_country_code=owner_country_code, owner_party_id=owner_party_id)
    if found:
        first, rest = found[0], found[1:]
        extra = "".join(f"; {v.field}: {v.message}" for v in rest)
        raise InvalidRequest(first.message + extra, field=first.field)
    return token


def check_addressed(token: Token, *, country_code: str, party_id: str, uid: str, type: TokenType) -> None:
    """The pushed object must be the one the URL names (transport_and_format §Errors: else 2001)."""
    ownership.check_addressed((
        ("country_code", token.country_code, country_code),
        ("party_id", token.party_id, party_id),
        ("uid", token.uid, uid),
    ))
    if token.type != type:
        raise InvalidRequest(f"{token.type} differs from the URL's type {type} (default RFID)", field="type")


def merge_patch(stored: Token, patch: BaseModel) -> Token:
    """The token after an OCPI PATCH: the fields the body carries replace the stored ones (a nested
    object whole, an explicit ``null`` clears an optional field); the rest stays. Raises
    ``InvalidRequest`` when the result is no valid Token (e.g. ``null`` for a required field)."""
    changes: dict[str, Any] = patch.model_dump(mode="json", exclude_unset=True)
    merged = {**dump_ocpi(stored), **changes}
    return validation.parse(Token, merged)


# --- OCPP idTag (profile §11 choice) -----------------------------------------------------------
def normalize_id_tag(id_tag: str) -> str:
    """OCPP idTags are CiString20 (case-insensitive): the hub keys them upper-cased."""
    return id_tag.strip().upper()


def derive_id_tag(country_code: str, party_id: str, type: TokenType | str, uid: str) -> str:
    """The idTag of a token, from its OCPI key.

    RFID: the uid itself (upper-cased), which is what the card reader reports. APP_USER /
    AD_HOC_USER: the uid is a 36-character UUID, so the idTag is the first 20 characters of the
    base32 (RFC 4648: A-Z, 2-7) SHA-256 of ``CC*PID*TYPE*UID``: 100 bits, deterministic, and
    unique per token in practice — the chance that any two of n tokens collide is about
    n² / 2^101 (for 10^8 tokens, ~4·10⁻¹⁵). The alphabet has no 0, 1, 8 or 9, so a derived tag
    equals a 20-character hex RFID uid only if all 20 characters fall in A-F/2-7 *and* the 100
    bits match. Ties are resolved by the lookup anyway (``tokens.repository``).
    """
    type = TokenType(type)
    if type not in GENERATED_UID_TYPES:
        return normalize_id_tag(uid)
    material = "*".join((country_code.upper(), party_id.upper(), type.value, uid.upper())).encode()
    return base64.b32encode(hashlib.sha256(material).digest()).decode()[:ID_TAG_LENGTH]


def id_tag_for(token: Token) -> str:
    """The OCPP idTag the hub sends in RemoteStartTransaction for ``token`` and resolves back on
    Authorize / StartTransaction / StopTransaction (``tokens.repository.find_by_id_tag``)."""
    return derive_id_tag(token.country_code, token.party_id, token.type, token.uid)


# --- Authorisation (OCPP 1.6 Authorize / StartTransaction) -----------------------------------------
class AuthorizationStatus(StrEnum):
    """OCPP 1.6 AuthorizationStatus values a token can earn (ConcurrentTx is a session matter)."""

    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    EXPIRED = "Expired"
    INVALID = "Invalid"


def authorization_status(
    token: Token | None, *, now: datetime | None = None, expires_at: datetime | None = None
) -> AuthorizationStatus:
    """What the hub answers a station for ``token`` (profile §10: MOBI.E authorises from the whitelist).

    - unknown token → Invalid (OCPP: "identifier is unknown");
    - ``whitelist`` NEVER → Invalid: such a token may only be authorised in real time, which Phase 1
      does not have, so it is not in the whitelist. ALWAYS / ALLOWED are whitelisted; ALLOWED_OFFLINE
      too, as the hub has no real-time channel to the EMSP (the "offline" case of mod_tokens §12.4.5);
    - ``valid`` false → Blocked (the EMSP invalidated it; OCPI tokens are never deleted);
    - an expiry the caller knows of (OCPI Tokens carry none) that has passed → Expired;
    - otherwise Accepted.
    """
    if token is None or token.whitelist == WhitelistType.NEVER:
        return AuthorizationStatus.INVALID
    if not token.valid:
        return AuthorizationStatus.BLOCKED
    if expires_at is not None and (now or utcnow()) >= expires_at:
        return AuthorizationStatus.EXPIRED
    return AuthorizationStatus.ACCEPTED


# --- Who holds an idTag (issue #12: ownership never follows a party-supplied date) ------------------
def owner_of(token: Token) -> str:
    """``CC/PID`` of the EMSP a token belongs to, upper-cased."""
    return f"{token.country_code.upper()}/{token.party_id.upper()}"


def other_valid_owners(token: Token, holders: Iterable[Token]) -> set[str]:
    """The parties other than ``token``'s that hold a valid token with the same idTag: a valid
    ``token`` may not be stored while one of them is registered. An invalid ``token`` authorises
    nothing, so it conflicts with nobody (making it valid later is checked again)."""
    if not token.valid:
        return set()
    return {owner_of(h) for h in holders if h.valid and owner_of(h) != owner_of(token)}


@dataclass(frozen=True)
class IdTagResolution:
    """The token an idTag stands for at a station, and the status it earns. ``conflict`` names the
    owners when several registered parties hold it validly: then nobody gets it (Invalid)."""

    token: Token | None
    status: AuthorizationStatus
    conflict: tuple[str, ...] = ()


def resolve_id_tag(candidates: Sequence[Token], registered: Collection[str]) -> IdTagResolution:
    """Decide an idTag from every token known by it and the ``registered`` owners (``CC/PID``).

    Tokens of parties that are not registered count as unknown (profile §10: an unregistered EMSP
    authorises nothing). Valid tokens of two registered parties: fail closed, Invalid, and the
    caller reports the conflict. Otherwise the valid token if any, then any by key (never by the
    party-supplied ``last_updated``), with ``authorization_status``'s answer.
    """
    live = [token for token in candidates if owner_of(token) in registered]
    owners = tuple(sorted({owner_of(token) for token in live if token.valid}))
    if len(owners) > 1:
        return IdTagResolution(None, AuthorizationStatus.INVALID, owners)
    if not live:
        return IdTagResolution(None, AuthorizationStatus.INVALID)
    chosen = max(live, key=lambda t: (t.valid, t.type.value, t.uid.upper()))
    return IdTagResolution(chosen, authorization_status(chosen))
