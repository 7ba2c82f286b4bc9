"""Registered and invited test parties: real tokens stored through the real repository."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from mobie_hub.repositories import credentials_tokens


@dataclass(frozen=True)
class Party:
    country_code: str
    party_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": "Token " + base64.b64encode(self.token.encode()).decode()}


def issue(kind: str, country_code: str = "PT", party_id: str = "EDP", role: str = "EMSP") -> Party:
    token = credentials_tokens.new_token()
    credentials_tokens.store_token(token, role=role, country_code=country_code, party_id=party_id, kind=kind)
    return Party(country_code, party_id, token)
