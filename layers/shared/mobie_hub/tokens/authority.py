"""The idTag authority: MOBI.E authorises every idTag from the EMSPs' whitelist (profile §10).

One Query on the tokens table's idTag index and, for a known idTag, one read of its owners'
registration (``tokens.repository.resolve``), then the rules of ``tokens.rules.resolve_id_tag``:
a token of an EMSP that is not registered is unknown (Invalid), and an idTag that valid tokens of two
registered EMSPs share is ambiguous: Invalid for everyone (fail closed, issue #12), logged and
counted (metric ``IdTagConflicts``, alarmed) until the operator settles it (``mobie-hub tokens conflicts``).
"""

from __future__ import annotations

from mobie_hub.core.observability import count, logger
from mobie_hub.ocpp.ports import IdTagAuthority, IdTagDecision, TokenRef
from mobie_hub.tokens.repository import resolve
from mobie_hub.tokens.rules import normalize_id_tag

CONFLICT_METRIC = "IdTagConflicts"


class WhitelistAuthority(IdTagAuthority):
    def authorize(self, id_tag: str) -> IdTagDecision:
        resolution = resolve(id_tag)
        if resolution.conflict:
            logger.error(
                "idTag held by valid tokens of several parties: refused",
                id_tag=normalize_id_tag(id_tag),
                owners=list(resolution.conflict),
            )
            count(CONFLICT_METRIC)
        token = resolution.token
        if token is None:
            return IdTagDecision(resolution.status.value)
        return IdTagDecision(
            resolution.status.value,
            TokenRef(
                country_code=token.country_code.upper(),
                party_id=token.party_id.upper(),
                type=str(token.type),
                uid=token.uid,
                contract_id=token.contract_id,
            ),
        )
