"""The tokens receiver interface (OCPI 2.2.1 mod_tokens §12.2.1, profile §10) as logic: who may touch
which token, and GET / PUT / PATCH against a token store.

The store is a port (``TokenStore``); the default adapter is ``mobie_hub.repositories.tokens``, tests
pass an in-memory fake. Every rule is checked before the single write, so a refused request stores
nothing.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel

from mobie_hub.errors import ConflictingWrite, Forbidden, UnknownToken
from mobie_hub.logic.tokens import check_addressed, check_token, merge_patch
from mobie_hub.models.tokens import Token
from mobie_hub.repositories import tokens as token_repository
from mobie_hub.repositories.tokens import StoredToken, TokenKey

PATCH_ATTEMPTS = 3
"""A PATCH reads, merges and writes conditionally; it retries when another write slipped in between."""


class TokenStore(Protocol):
    """What the receiver needs of storage (``repositories.tokens`` implements it)."""

    def get_token(self, key: TokenKey) -> StoredToken | None: ...

    def put_token(self, token: Token) -> bool: ...

    def replace_token(self, token: Token, *, expected: StoredToken) -> None: ...


def ensure_owner(*, caller_role: str, caller_country_code: str, caller_party_id: str, key: TokenKey) -> None:
    """Profile §10: a party may only read or write its own tokens, and only EMSPs own tokens."""
    if caller_role.upper() != "EMSP":
        raise Forbidden("only an EMSP may use the tokens receiver interface")
    caller = f"{caller_country_code.upper()}/{caller_party_id.upper()}"
    if key.owner != caller:
        raise Forbidden(f"tokens under {key.owner} belong to another party; use {caller}")


def _unknown(key: TokenKey, hint: str = "") -> UnknownToken:
    return UnknownToken(f"no {key.type} token {key.uid} for {key.owner}{hint}")


def _check(token: Token, key: TokenKey) -> None:
    """The token is the one the URL names, and follows MOBI.E's rules (else 2001)."""
    check_addressed(token, country_code=key.country_code, party_id=key.party_id, uid=key.uid, type=key.type)
    check_token(token, owner_country_code=key.country_code, owner_party_id=key.party_id)


def get(key: TokenKey, *, store: TokenStore = token_repository) -> Token:
    """The token as the hub holds it; ``UnknownToken`` (2004, HTTP 404) when it has none."""
    stored = store.get_token(key)
    if stored is None:
        raise _unknown(key)
    return stored.token


def put(token: Token, key: TokenKey, *, store: TokenStore = token_repository) -> bool:
    """Create or replace the token the URL names; True when created. One write, no read."""
    _check(token, key)
    return store.put_token(token)


def patch(body: BaseModel, key: TokenKey, *, store: TokenStore = token_repository) -> Token:
    """Apply a PATCH body (``partial_model(Token)``) to a stored token; the merged token must pass
    every rule a PUT must. ``UnknownToken`` when there is nothing to patch (the EMSP should PUT,
    transport_and_format §PATCH)."""
    for attempt in range(1, PATCH_ATTEMPTS + 1):
        stored = store.get_token(key)
        if stored is None:
            raise _unknown(key, "; PUT it first")
        merged = merge_patch(stored.token, body)
        _check(merged, key)
        try:
            store.replace_token(merged, expected=stored)
        except ConflictingWrite:
            if attempt == PATCH_ATTEMPTS:
                raise
            continue
        return merged
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
