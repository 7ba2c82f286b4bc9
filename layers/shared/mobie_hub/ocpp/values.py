"""The two values of the OCPP gateway that other features hold without plugging into its ports:
``TokenRef`` (the token behind an idTag: commands, sessions) and ``Receipt`` (the answer stored with a
station message's effects: ``ocpp.repository``, the sessions feature). Apart from ``ocpp.ports`` (which
re-exports them) so that reading or storing them does not load the gateway's seams: the commands
Lambda needs ``TokenRef`` and a station's connection only (docs/architecture.md, "What a cold start
imports")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TokenRef:
    """The OCPI token an idTag stands for, and so its owner (the EMSP)."""

    country_code: str
    party_id: str
    type: str
    uid: str
    contract_id: str


@dataclass(frozen=True)
class Receipt:
    """What the hub answers to one station message. Written in the same transaction as the message's
    effects (stations table ``MSG#<message id>``), so a retransmission finds it and is answered the
    same way instead of being applied twice."""

    station_id: str
    message_id: str
    action: str
    response: dict[str, Any]
