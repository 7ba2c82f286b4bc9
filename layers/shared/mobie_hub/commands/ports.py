"""The seams of the commands module (profile §11). Each port has a real adapter and an in-memory fake
(tests/unit/commands/fakes.py); being abstract classes, a fake that drifts fails at construction.

| port | AWS | local (``mobie-hub serve``) and tests |
|---|---|---|
| ``SessionFacts`` | ``sessions.command_facts`` onto ``sessions.repository`` (issue 7) | in-memory fake |
| ``CommandWorkflow`` | Step Functions (``commands.step_functions``) | ``commands.local_runner`` (asyncio timers) |
| ``CallSender`` | ``mobie_hub.ocpp.send.send_call`` (the process's gateway) | the same, over a gateway with fake connections |

``CallSender`` is given to ``lifecycle.send`` by its callers (the Step Functions task, the local runner):
the OCPP gateway's composition imports the command lifecycle, so the lifecycle must not import the
gateway back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol

from mobie_hub.ocpp.values import TokenRef

ACTIVE, PENDING = "ACTIVE", "PENDING"


class CallSender(Protocol):
    """Sends an OCPP call to a connected station; returns the call's message id. Raises
    ``StationOffline`` / ``StationBusy`` (the signature of ``mobie_hub.ocpp.send.send_call``)."""

    def __call__(
        self,
        station_id: str,
        action: str,
        payload: dict[str, Any],
        *,
        context: dict[str, Any] | None = None,
        timeout: timedelta | None = None,
    ) -> str: ...


class SessionView(NamedTuple):
    """What the command tables need to know of an OCPI Session (profile §7, §11)."""

    id: str
    status: str  # PENDING, ACTIVE, COMPLETED, INVALID
    owner_country_code: str  # the EMSP owning the session's token
    owner_party_id: str
    token_type: str
    token_uid: str
    location_id: str
    evse_uid: str
    transaction_id: int | None = None  # the OCPP transaction (RemoteStopTransaction needs it)
    end_date_time: datetime | None = None

    @property
    def active(self) -> bool:
        """A PENDING session has no OCPP transaction yet: it cannot be stopped or unlocked."""
        return self.status == ACTIVE

    def owned_by(self, country_code: str, party_id: str) -> bool:
        return (self.owner_country_code.upper(), self.owner_party_id.upper()) == (
            country_code.upper(),
            party_id.upper(),
        )

    def same_token(self, token: TokenRef) -> bool:
        return self.owned_by(token.country_code, token.party_id) and (
            self.token_type,
            self.token_uid.upper(),
        ) == (token.type, token.uid.upper())


class SessionFacts(ABC):
    """The sessions the commands read and the PENDING session an accepted START_SESSION opens."""

    @abstractmethod
    def open_pending(
        self,
        location_id: str,
        evse_uid: str,
        connector_id: str,
        token: TokenRef,
        authorization_reference: str | None,
        operator: tuple[str, str] | None = None,
    ) -> str:
        """Open a PENDING session (profile §7: a remote start acknowledged, not confirmed); its id.
        ``operator``: the Location's (country_code, party_id), whose CPO the session is also for."""

    @abstractmethod
    def get(self, session_id: str) -> SessionView | None: ...

    @abstractmethod
    def active_on_evse(self, location_id: str, evse_uid: str) -> SessionView | None:
        """The ACTIVE session on the EVSE, if any (PENDING ones are not active)."""

    @abstractmethod
    def last_on_evse(self, location_id: str, evse_uid: str) -> SessionView | None:
        """The most recent session on the EVSE, whatever its status."""

    @abstractmethod
    def invalidate_pending(self, session_id: str) -> None:
        """The START_SESSION failed or timed out: its PENDING session becomes INVALID (no-op otherwise)."""


class CommandWorkflow(ABC):
    """Runs one command's lifecycle: send the OCPP call, wait (at most ``timeout_seconds``) to be
    resumed, then decide the CommandResult and POST it (``commands.lifecycle``)."""

    @abstractmethod
    def start(self, command_id: str, timeout_seconds: int) -> None: ...

    @abstractmethod
    def resume(self, task_token: str, command_id: str) -> bool:
        """End the wait of the command's execution; False when it is over already (a late answer)."""
