"""In-memory fakes of the OCPP gateway's ports (mobie_hub.ocpp.ports). Being subclasses of the
abstract ports, a fake that misses a method fails at construction."""

from __future__ import annotations

import json
from typing import Any

from mobie_hub.ocpp.ports import (
    CallOutcome,
    CallResultListener,
    ConnectionGone,
    IdTagAuthority,
    IdTagDecision,
    StationConnections,
    TokenRef,
)

EDP_TOKEN = TokenRef(
    country_code="PT", party_id="EDP", type="RFID", uid="04A1B2C3D4E5F6", contract_id="PT-EDP-C-1234ABCD-J"
)


class FakeConnections(StationConnections):
    """Records what would go down each connection; connection ids in ``gone`` raise ConnectionGone."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.closed: list[str] = []
        self.gone: set[str] = set()

    def send(self, connection_id: str, text: str) -> None:
        if connection_id in self.gone:
            raise ConnectionGone(connection_id)
        self.sent.append((connection_id, text))

    def close(self, connection_id: str) -> None:
        self.closed.append(connection_id)

    def frames(self, connection_id: str | None = None) -> list[list[Any]]:
        return [json.loads(text) for cid, text in self.sent if connection_id in (None, cid)]


class FakeAuthority(IdTagAuthority):
    """Accepted for the idTags in ``accepted``, a given status for those in ``statuses``, else Invalid."""

    def __init__(
        self, accepted: dict[str, TokenRef] | None = None, statuses: dict[str, str] | None = None
    ) -> None:
        self.accepted = accepted if accepted is not None else {EDP_TOKEN.uid: EDP_TOKEN}
        self.statuses = statuses or {}
        self.asked: list[str] = []

    def authorize(self, id_tag: str) -> IdTagDecision:
        self.asked.append(id_tag)
        if id_tag in self.statuses:
            return IdTagDecision(self.statuses[id_tag], EDP_TOKEN)
        token = self.accepted.get(id_tag)
        return IdTagDecision("Accepted", token) if token else IdTagDecision("Invalid")


class RecordingListener(CallResultListener):
    def __init__(self) -> None:
        self.outcomes: list[CallOutcome] = []

    def on_outcome(self, outcome: CallOutcome) -> None:
        self.outcomes.append(outcome)
