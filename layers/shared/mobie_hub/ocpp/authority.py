"""The idTag authority: MOBI.E authorises every idTag from the EMSPs' whitelist (profile §10).

One Query on the tokens table's idTag index (``repositories.tokens.find_by_id_tag``) and the
status rules of ``logic.tokens.authorization_status`` (Accepted / Blocked / Expired / Invalid).
"""

from __future__ import annotations

from mobie_hub.logic.tokens import authorization_status
from mobie_hub.ocpp.ports import IdTagAuthority, IdTagDecision, TokenRef
from mobie_hub.repositories.tokens import find_by_id_tag


class WhitelistAuthority(IdTagAuthority):
    def authorize(self, id_tag: str) -> IdTagDecision:
        stored = find_by_id_tag(id_tag)
        status = authorization_status(stored.token if stored else None)
        if stored is None:
            return IdTagDecision(status.value)
        token = stored.token
        return IdTagDecision(
            status.value,
            TokenRef(
                country_code=stored.country_code,
                party_id=stored.party_id,
                type=str(token.type),
                uid=token.uid,
                contract_id=token.contract_id,
            ),
        )
