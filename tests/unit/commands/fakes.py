"""In-memory fakes of the commands ports (mobie_hub.commands.ports)."""

from __future__ import annotations

import itertools
from datetime import datetime

from mobie_hub.commands.ports import ACTIVE, PENDING, CommandWorkflow, SessionFacts, SessionView
from mobie_hub.ocpp.ports import TokenRef


class FakeSessions(SessionFacts):
    def __init__(self) -> None:
        self.sessions: dict[str, SessionView] = {}
        self.order: list[str] = []  # oldest first
        self.invalidated: list[str] = []
        self._ids = itertools.count(1)

    def add(self, session: SessionView) -> SessionView:
        self.sessions[session.id] = session
        self.order.append(session.id)
        return session

    def active(
        self,
        token: TokenRef,
        *,
        location_id: str = "LSB-00175",
        evse_uid: str = "LSB-00175-01",
        transaction_id: int = 7,
        status: str = ACTIVE,
        ended: datetime | None = None,
        id: str | None = None,
    ) -> SessionView:
        return self.add(
            SessionView(
                id or f"S{next(self._ids)}",
                status,
                token.country_code,
                token.party_id,
                token.type,
                token.uid,
                location_id,
                evse_uid,
                transaction_id,
                ended,
            )
        )

    def open_pending(
        self, location_id, evse_uid, connector_id, token: TokenRef, authorization_reference, operator=None
    ) -> str:
        return self.active(
            token, location_id=location_id, evse_uid=evse_uid, transaction_id=None, status=PENDING
        ).id

    def get(self, session_id: str) -> SessionView | None:
        return self.sessions.get(session_id)

    def _on(self, location_id: str, evse_uid: str) -> list[SessionView]:
        return [
            s
            for sid in self.order
            if (s := self.sessions[sid]).location_id == location_id and s.evse_uid == evse_uid
        ]

    def active_on_evse(self, location_id: str, evse_uid: str) -> SessionView | None:
        return next((s for s in reversed(self._on(location_id, evse_uid)) if s.active), None)

    def last_on_evse(self, location_id: str, evse_uid: str) -> SessionView | None:
        on = self._on(location_id, evse_uid)
        return on[-1] if on else None

    def invalidate_pending(self, session_id: str) -> None:
        self.invalidated.append(session_id)


class RecordingWorkflow(CommandWorkflow):
    """Starts nothing by itself: records starts; ``resume`` succeeds for tokens in ``waiting``."""

    def __init__(self) -> None:
        self.started: list[tuple[str, int]] = []
        self.resumed: list[tuple[str, str]] = []
        self.waiting: set[str] = set()

    def start(self, command_id: str, timeout_seconds: int) -> None:
        self.started.append((command_id, timeout_seconds))

    def resume(self, task_token: str, command_id: str) -> bool:
        if task_token not in self.waiting:
            return False
        self.waiting.discard(task_token)
        self.resumed.append((task_token, command_id))
        return True
