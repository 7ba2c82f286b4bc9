"""Pull sync of one EMSP's tokens (OCPI 2.2.1 mod_tokens §12.1.2 pull model; profile §10).

The hub reads the EMSP's full token list (its tokens SENDER interface, every ``Link`` page) and
reconciles its own copy:

- a listed token the hub lacks is **added**; one whose content differs is **updated**, unless the
  hub's copy is more recent (an EMSP push that arrived after the list was produced): then it is
  **kept**. Writes are conditional on ``last_updated``, so a push racing the sync always wins;
- a listed token that breaks the OCPI model or MOBI.E's rules is **rejected** (reported, not stored;
  the hub's copy, if any, stays as it was);
- a valid listed token whose OCPP idTag a valid token of another registered EMSP holds is a
  **conflict** (reported with the reason, not stored; issue #12: the card stays with its holder);
- a token the hub holds that the list no longer has is **invalidated** (``valid`` = false; its
  ``last_updated`` is the EMSP's, unchanged): the spec says "any older information that is not
  specified in the response is considered as no longer valid", and OCPI tokens are never deleted.
  This happens only once every page was read; ``invalidate_missing=False`` only reports them
  (``missing``).
  A token invalidated this way that the EMSP lists again is restored by the next sync or push.

``dry_run`` computes the same report without writing. Counts are exact; each id list holds at most
``MAX_IDS`` ids (``truncated`` says when there were more).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from mobie_hub.core import documents, validation
from mobie_hub.core.errors import ConflictingWrite, IdTagConflict, InvalidRequest, UnableToUseClientApi
from mobie_hub.core.keys import sortable_time
from mobie_hub.core.models import TokenType
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.receiver import IdTagStore, ensure_id_tag_free
from mobie_hub.tokens.repository import StoredToken, TokenKey, TokenState
from mobie_hub.tokens.rules import check_token

MAX_IDS = 1000
OUTCOMES = (
    "added", "updated", "unchanged", "kept", "rejected", "conflict",
    "invalidated", "missing", "already_invalid",
)
"""``missing``: no longer listed but left valid (``invalidate_missing`` off); ``already_invalid``: no
longer listed and already ``valid`` = false."""


class SyncStore(IdTagStore, Protocol):
    """What the sync needs of storage (``tokens.repository`` implements it)."""

    def token_states_of_party(self, country_code: str, party_id: str) -> Iterable[TokenState]: ...

    def put_token_unless_newer(self, token: Token) -> bool: ...

    def replace_token(self, token: Token, *, expected: StoredToken) -> None: ...


@dataclass
class SyncReport:
    """What one sync found and did: per outcome a count and (up to MAX_IDS) ``TYPE/uid`` ids."""

    party: str
    dry_run: bool
    invalidate_missing: bool
    listed: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    ids: dict[str, list[str]] = field(default_factory=lambda: {o: [] for o in OUTCOMES if o != "unchanged"})
    reasons: dict[str, str] = field(default_factory=dict)  # rejected or conflicting id → why

    def record(self, outcome: str, token_id: str, reason: str | None = None) -> None:
        self.counts[outcome] += 1
        if outcome in self.ids and len(self.ids[outcome]) < MAX_IDS:
            self.ids[outcome].append(token_id)
            if reason:
                self.reasons[token_id] = reason

    def as_dict(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "dry_run": self.dry_run,
            "invalidate_missing": self.invalidate_missing,
            "listed": self.listed,
            "counts": dict(self.counts),
            "ids": {k: list(v) for k, v in self.ids.items()},
            "rejected_reasons": dict(self.reasons),
            "truncated": any(self.counts[k] > len(v) for k, v in self.ids.items()),
        }

    def summary(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.counts.items() if v) or "nothing"


def _listed_id(raw: Any) -> tuple[str | None, str]:
    """Key (``CC#PID#TYPE#UID``) and display id of a listed item, as far as it can be read."""
    if not isinstance(raw, dict) or not isinstance(raw.get("uid"), str):
        return None, "?"
    type = raw.get("type") if raw.get("type") in TokenType.__members__ else TokenType.RFID.value
    cc, pid = raw.get("country_code"), raw.get("party_id")
    display = f"{type}/{raw['uid']}"
    if isinstance(cc, str) and isinstance(pid, str):
        return "#".join((cc.upper(), pid.upper(), type, raw["uid"].upper())), display
    return None, display


def _parse(raw: Any, country_code: str, party_id: str) -> Token:
    token = validation.parse(Token, raw, whole="token")
    return check_token(token, owner_country_code=country_code, owner_party_id=party_id)


def reconcile(
    country_code: str,
    party_id: str,
    listed: Iterable[Any],
    *,
    store: SyncStore,
    dry_run: bool = False,
    invalidate_missing: bool = True,
) -> SyncReport:
    """Reconcile the hub's tokens of ``country_code``/``party_id`` with ``listed`` (the EMSP's items,
    raw JSON, read lazily page by page). A failing page raises ``UnableToUseClientApi`` saying what
    was done so far; nothing is invalidated then."""
    report = SyncReport(f"{country_code.upper()}/{party_id.upper()}", dry_run, invalidate_missing)
    held = {state.key: state for state in store.token_states_of_party(country_code, party_id)}
    seen: set[str] = set()
    items: Iterator[Any] = iter(listed)
    while True:
        try:
            raw = next(items)
        except StopIteration:
            break
        except UnableToUseClientApi as exc:  # a page failed (other errors, e.g. MissingEndpoints, pass)
            raise UnableToUseClientApi(
                f"reading the token list of {report.party} failed after {report.listed} tokens "
                f"({report.summary()}; nothing invalidated): {exc.message}"
            ) from exc
        report.listed += 1
        _reconcile_one(raw, country_code, party_id, held, seen, report, store)
    for key in sorted(held.keys() - seen):
        _missing(held[key], report, store)
    return report


def _reconcile_one(
    raw: Any,
    country_code: str,
    party_id: str,
    held: dict[str, TokenState],
    seen: set[str],
    report: SyncReport,
    store: SyncStore,
) -> None:
    key, display = _listed_id(raw)
    if key is not None:
        seen.add(key)  # even if refused below: the EMSP still lists it, so it is not "missing"
    try:
        token = _parse(raw, country_code, party_id)
    except InvalidRequest as exc:
        report.record("rejected", display, exc.message)
        return
    current = held.get(TokenKey.of(token).normalized)
    if current is not None and documents.encode(token) == current.revision:
        report.record("unchanged", display)
        return
    if current is not None and sortable_time(token.last_updated) < current.last_updated:
        report.record("kept", display)
        return
    try:
        ensure_id_tag_free(token, store)
        written = True if report.dry_run else store.put_token_unless_newer(token)
    except IdTagConflict as exc:  # held by another EMSP (found by the Query, or by the write's claim)
        report.record("conflict", display, exc.message)
        return
    except ConflictingWrite:  # a push of this token was being written at the same moment: it wins
        report.record("kept", display)
        return
    report.record(("added" if current is None else "updated") if written else "kept", display)


def _missing(state: TokenState, report: SyncReport, store: SyncStore) -> None:
    stored = state.stored()
    display = f"{stored.token.type}/{stored.token.uid}"
    if not stored.token.valid:
        report.record("already_invalid", display)
        return
    if not report.invalidate_missing:
        report.record("missing", display)
        return
    if not report.dry_run:
        try:
            store.replace_token(stored.token.model_copy(update={"valid": False}), expected=stored)
        except ConflictingWrite:  # a push changed it since the sync read it: the push wins
            report.record("kept", display)
            return
    report.record("invalidated", display)
