"""``mobie-hub tokens sync --party PT/EDP``: pull one EMSP's full token list and reconcile the hub's
copy (``mobie_hub.tokens.sync``; docs/tokens.md). ``mobie-hub tokens conflicts``: the idTags
that valid tokens of several registered EMSPs share (refused at the stations until settled).

The list comes from the EMSP's tokens SENDER endpoint through the outbound OCPI client, every
``Link`` page followed; the EMSP and its token are read from the parties repository.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from mobie_hub.admin.registry import operation
from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.models import Role
from mobie_hub.core.observability import logger
from mobie_hub.core.types import format_datetime
from mobie_hub.outbound import OcpiClient, correlation_scope, get_client
from mobie_hub.parties import api as parties
from mobie_hub.parties.party import PartyRef, Registration
from mobie_hub.tokens import inventory_repository
from mobie_hub.tokens import repository as token_repository
from mobie_hub.tokens.rules import owner_of, resolve_id_tag
from mobie_hub.tokens.sync import SyncReport, SyncStore, reconcile


class SyncRequest(BaseModel):
    """The ``tokens.sync`` payload."""

    party: str = Field(pattern=r"^[A-Za-z]{2}/[A-Za-z0-9]{3}$", description="the EMSP as CC/PID, e.g. PT/EDP")
    dry_run: bool = False
    invalidate_missing: bool = True

    def ref(self) -> PartyRef:
        country_code, party_id = self.party.split("/")
        return PartyRef(role=Role.EMSP, country_code=country_code, party_id=party_id)


def sync_party_tokens(
    ref: PartyRef,
    *,
    client: OcpiClient | None = None,
    store: SyncStore = token_repository,
    dry_run: bool = False,
    invalidate_missing: bool = True,
) -> SyncReport:
    """Read ``ref``'s token list (all pages) and reconcile the hub's tokens of that party."""
    party = parties.require_party(ref)
    if party.registration != Registration.REGISTERED:
        raise InvalidRequest(
            f"{party.label} is {party.registration.value}, not registered: nothing to read from"
        )
    client = client or get_client()
    with correlation_scope():
        listed = client.get_all_pages(party, "tokens")
        report = reconcile(
            party.country_code,
            party.party_id,
            listed,
            store=store,
            dry_run=dry_run,
            invalidate_missing=invalidate_missing,
        )
    logger.info("tokens synced", party=report.party, dry_run=dry_run, listed=report.listed, **report.counts)
    return report


@operation("tokens.sync")
def tokens_sync(payload: dict[str, Any]) -> dict[str, Any]:
    request = SyncRequest.model_validate(payload)
    report = sync_party_tokens(
        request.ref(), dry_run=request.dry_run, invalidate_missing=request.invalidate_missing
    )
    return report.as_dict()


@operation("tokens.conflicts")
def tokens_conflicts(payload: dict[str, Any]) -> dict[str, Any]:
    """The ambiguous idTags: valid tokens of several registered EMSPs share them, so every station
    answers Invalid for them (issue #12) until the operator settles who holds the card (one EMSP
    invalidates its token). Stored before the PUT check existed, or a legacy import."""
    shared = inventory_repository.shared_id_tags()
    registered = token_repository.registered_owners({owner_of(t) for ts in shared.values() for t in ts})
    conflicts = []
    for id_tag, tokens in sorted(shared.items()):
        resolution = resolve_id_tag(tokens, registered)
        if resolution.conflict:
            conflicts.append({
                "id_tag": id_tag,
                "owners": list(resolution.conflict),
                "tokens": [
                    {"owner": owner_of(t), "type": str(t.type), "uid": t.uid, "valid": t.valid,
                     "last_updated": format_datetime(t.last_updated)}
                    for t in sorted(tokens, key=owner_of)
                ],
            })
    if conflicts:
        logger.warning("ambiguous idTags listed", count=len(conflicts))
    return {"count": len(conflicts), "conflicts": conflicts}
