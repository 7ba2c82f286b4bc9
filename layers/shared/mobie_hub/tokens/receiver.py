"""The tokens receiver interface (OCPI 2.2.1 mod_tokens §12.2.1, profile §10) as logic: who may touch
which token, and GET / PUT / PATCH against a token store.

The store is a port (``TokenStore``); the default adapter is ``mobie_hub.tokens.repository``, tests
pass an in-memory fake. Every rule is checked before the single write, so a refused request stores
nothing. One rule needs the store: a valid token's idTag must not be held by a valid token of another
registered EMSP (issue #12; one Query on the idTag index, ``ensure_id_tag_free``); the write itself
claims the idTag, so two EMSPs racing for one card cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from pydantic import BaseModel

from mobie_hub.core import retry
from mobie_hub.core.errors import ConflictingWrite, Forbidden, IdTagConflict, UnknownToken
from mobie_hub.core.observability import logger
from mobie_hub.core.ownership import ensure_own
from mobie_hub.tokens import repository as token_repository
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.repository import StoredToken, TokenKey
from mobie_hub.tokens.rules import (
    check_addressed,
    check_token,
    id_tag_for,
    merge_patch,
    other_valid_owners,
    owner_of,
)


class TokenStore(Protocol):
    """What the receiver needs of storage (``tokens.repository`` implements it)."""

    def get_token(self, key: TokenKey) -> StoredToken | None: ...

    def put_token(self, token: Token, *, existed: bool) -> bool: ...

    def replace_token(self, token: Token, *, expected: StoredToken) -> None: ...

    def find_all_by_id_tag(self, id_tag: str) -> list[StoredToken]: ...

    def registered_owners(self, owners: Iterable[str]) -> frozenset[str]: ...


class IdTagStore(Protocol):
    """What the idTag conflict check needs (the receiver's and the pull sync's stores have it)."""

    def find_all_by_id_tag(self, id_tag: str) -> list[StoredToken]: ...

    def registered_owners(self, owners: Iterable[str]) -> frozenset[str]: ...


def ensure_owner(*, caller_role: str, caller_country_code: str, caller_party_id: str, key: TokenKey) -> None:
    """Profile §10: a party may only read or write its own tokens, and only EMSPs own tokens."""
    if caller_role.upper() != "EMSP":
        raise Forbidden("only an EMSP may use the tokens receiver interface")
    ensure_own(caller_country_code=caller_country_code, caller_party_id=caller_party_id,
               country_code=key.country_code, party_id=key.party_id, what="tokens")


def _unknown(key: TokenKey, hint: str = "") -> UnknownToken:
    return UnknownToken(f"no {key.type} token {key.uid} for {key.owner}{hint}")


def _check(token: Token, key: TokenKey) -> None:
    """The token is the one the URL names, and follows MOBI.E's rules (else 2001)."""
    check_addressed(token, country_code=key.country_code, party_id=key.party_id, uid=key.uid, type=key.type)
    check_token(token, owner_country_code=key.country_code, owner_party_id=key.party_id)


def ensure_id_tag_free(token: Token, store: IdTagStore) -> bool:
    """``IdTagConflict`` (OCPI 2001, HTTP 409) when a valid ``token``'s idTag is held by a valid token
    of another registered EMSP; else whether ``token`` itself is stored already. One Query on the
    idTag index; the owners' registration is read only when another party holds the idTag."""
    id_tag = id_tag_for(token)
    holders = store.find_all_by_id_tag(id_tag)
    others = other_valid_owners(token, (h.token for h in holders))
    if others and (taken := store.registered_owners(others)):
        logger.warning(
            "token refused: idTag held by another party",
            id_tag=id_tag,
            party=owner_of(token),
            holders=sorted(taken),
        )
        raise IdTagConflict(
            f"{id_tag} is the OCPP idTag of a valid token of another EMSP; refused, nothing stored",
            field="uid",
        )
    key = TokenKey.of(token).normalized
    return any(h.key.normalized == key for h in holders)


def get(key: TokenKey, *, store: TokenStore = token_repository) -> Token:
    """The token as the hub holds it; ``UnknownToken`` (2004, HTTP 404) when it has none."""
    stored = store.get_token(key)
    if stored is None:
        raise _unknown(key)
    return stored.token


def put(token: Token, key: TokenKey, *, store: TokenStore = token_repository) -> bool:
    """Create or replace the token the URL names; True when created. One idTag Query, one write."""
    _check(token, key)
    return store.put_token(token, existed=ensure_id_tag_free(token, store))


def patch(body: BaseModel, key: TokenKey, *, store: TokenStore = token_repository) -> Token:
    """Apply a PATCH body (``partial_model(Token)``) to a stored token; the merged token must pass
    every rule a PUT must. ``UnknownToken`` when there is nothing to patch (the EMSP should PUT,
    transport_and_format §PATCH)."""

    def apply(_: retry.Attempt) -> Token:
        stored = store.get_token(key)
        if stored is None:
            raise _unknown(key, "; PUT it first")
        merged = merge_patch(stored.token, body)
        _check(merged, key)
        ensure_id_tag_free(merged, store)
        try:
            store.replace_token(merged, expected=stored)
        except ConflictingWrite:
            raise retry.ReadAgain from None
        return merged

    return retry.optimistic(apply, gave_up=f"token {key} changed while it was being updated")
