"""Registered and invited test parties: real tokens stored through the real repository."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from mobie_hub.core import credentials_tokens


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


def register_receiver(base_url: str, party_id: str = "EDP", modules: tuple[str, ...] = ("locations",),
                      version: str = "2.2.1"):
    """A REGISTERED EMSP whose receiver endpoints for ``modules`` live at ``base_url`` (a fake party)."""
    from mobie_hub.core.versions import Endpoint, InterfaceRole
    from mobie_hub.parties.models import ConnectionStatus
    from mobie_hub.parties.party import Party as PartyRecord
    from mobie_hub.parties.party import Registration
    from mobie_hub.parties.repository import save

    record = PartyRecord(
        country_code="PT", party_id=party_id, registration=Registration.REGISTERED,
        connection_status=ConnectionStatus.CONNECTED, version=version, party_token=f"token-of-{party_id}",
        endpoints=[
            Endpoint(identifier=m, role=InterfaceRole.RECEIVER, url=f"{base_url}/ocpi/emsp/{version}/{m}")
            for m in modules
        ],
    )
    return save(record, expected_revision=None)
