"""An in-memory token store implementing the receiver's ``TokenStore`` port (and the sync's)."""

from __future__ import annotations

from collections.abc import Iterable

from mobie_hub.core import documents
from mobie_hub.core.errors import ConflictingWrite, IdTagConflict
from mobie_hub.core.keys import sortable_time
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.repository import StoredToken, TokenKey, TokenState
from mobie_hub.tokens.rules import id_tag_for, other_valid_owners


class FakeTokenStore:
    """Keyed like the table (``TokenKey.normalized``); ``writes`` counts successful writes.

    ``interfere`` (a number of times) makes that many conditional writes find another write first,
    as a concurrent request would. ``registered`` holds the registered EMSPs (``CC/PID``); None: all.
    Like the table's idTag claim, a write of a valid token fails with ``IdTagConflict`` while a valid
    token of another registered EMSP holds its idTag.
    """

    def __init__(self) -> None:
        self.items: dict[str, StoredToken] = {}
        self.writes = 0
        self.interfere = 0
        self.registered: set[str] | None = None
        self.queries = 0

    def _store(self, token: Token) -> None:
        holders = [s.token for s in self.items.values() if s.id_tag == id_tag_for(token)]
        if self.registered_owners(other_valid_owners(token, holders)):
            raise IdTagConflict(f"{id_tag_for(token)} is claimed by another party", field="uid")
        self.items[TokenKey.of(token).normalized] = StoredToken(
            token, id_tag_for(token), documents.encode(token)
        )
        self.writes += 1

    def get_token(self, key: TokenKey) -> StoredToken | None:
        return self.items.get(key.normalized)

    def put_token(self, token: Token, *, existed: bool = False) -> bool:
        self._store(token)
        return not existed

    def find_all_by_id_tag(self, id_tag: str) -> list[StoredToken]:
        self.queries += 1
        return [stored for _, stored in sorted(self.items.items()) if stored.id_tag == id_tag.upper()]

    def registered_owners(self, owners: Iterable[str]) -> frozenset[str]:
        return frozenset(o for o in owners if self.registered is None or o in self.registered)

    def replace_token(self, token: Token, *, expected: StoredToken) -> None:
        if self.interfere:
            self.interfere -= 1
            raise ConflictingWrite("simulated concurrent write")
        current = self.items.get(expected.key.normalized)
        if current is None or current.revision != expected.revision:
            raise ConflictingWrite("changed meanwhile")
        self._store(token)

    def put_token_unless_newer(self, token: Token) -> bool:
        current = self.items.get(TokenKey.of(token).normalized)
        if current is not None and current.token.last_updated > token.last_updated:  # the table's condition
            return False
        self._store(token)
        return True

    def token_states_of_party(self, country_code: str, party_id: str) -> list[TokenState]:
        prefix = f"{country_code.upper()}#{party_id.upper()}#"
        return [
            TokenState(key, sortable_time(stored.token.last_updated), stored.id_tag, stored.revision)
            for key, stored in sorted(self.items.items())
            if key.startswith(prefix)
        ]
