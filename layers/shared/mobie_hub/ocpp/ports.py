"""The seams of the OCPP gateway. Each port has a real adapter and an in-memory fake for tests
(tests/support/ocpp_fakes.py); being abstract classes, a fake that drifts fails at construction.

| port | real | local / later |
|---|---|---|
| ``StationConnections`` | API Gateway Management API (``ocpp.api_gateway``) | the local websocket table (``local.ocpp``) |
| ``IdTagAuthority`` | the tokens whitelist (``tokens.authority``) | – |
| ``TransactionEvents`` | ``sessions.transactions.SessionTransactions`` (facts + OCPI Sessions) | ``RecordedTransactions`` (facts only) |
| ``CallResultListener`` | ``ocpp.calls.LoggingListener`` | local awaitable (``local.ocpp``); both feed the command lifecycle (``commands.ocpp_hooks``) |
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# TokenRef and Receipt live in ocpp.values (re-exported here): holding them needs none of these seams.
from mobie_hub.ocpp.values import Receipt, TokenRef


# --- station connections ---------------------------------------------------------------------------
class ConnectionGone(Exception):
    """The WebSocket connection no longer exists (API Gateway ``GoneException``, or closed locally)."""


class StationConnections(ABC):
    """Sends frames down a station's WebSocket connection, by connection id."""

    @abstractmethod
    def send(self, connection_id: str, text: str) -> None:
        """Send one text frame; ``ConnectionGone`` when the connection is gone."""

    @abstractmethod
    def close(self, connection_id: str) -> None:
        """Close a connection (best effort: a connection already gone is no error)."""


# --- idTag authorisation ---------------------------------------------------------------------------
@dataclass(frozen=True)
class IdTagDecision:
    """An OCPP 1.6 AuthorizationStatus (Accepted, Blocked, Expired, Invalid, ConcurrentTx) and the
    token it was decided on (None when the idTag is unknown)."""

    status: str
    token: TokenRef | None = None

    @property
    def accepted(self) -> bool:
        return self.status == "Accepted"

    def id_tag_info(self) -> dict[str, Any]:
        return {"status": self.status}


class IdTagAuthority(ABC):
    """Decides what a station may do with an idTag (Authorize, StartTransaction, StopTransaction)."""

    @abstractmethod
    def authorize(self, id_tag: str) -> IdTagDecision: ...


# --- transaction events ----------------------------------------------------------------------------
class AlreadyHandled(Exception):
    """The message id was handled before; ``response`` is what the hub answered then."""

    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__("message already handled")
        self.response = response


class UnknownTransaction(Exception):
    """No transaction with that id was started at that station."""


@dataclass(frozen=True)
class MeterSample:
    """One OCPP 1.6 SampledValue with its MeterValue timestamp; defaults as in OCPP 1.6 §7.45."""

    timestamp: datetime
    value: str
    measurand: str = "Energy.Active.Import.Register"
    unit: str = "Wh"
    context: str = "Sample.Periodic"
    phase: str | None = None
    location: str = "Outlet"
    format: str = "Raw"


@dataclass(frozen=True)
class TransactionStarted:
    """StartTransaction.req as the hub accepted it: the facts an OCPI Session is built from."""

    transaction_id: int
    station_id: str
    connector_id: int
    evse_uid: str
    id_tag: str
    authorization: IdTagDecision
    meter_start_wh: int
    timestamp: datetime  # the station's clock: when the transaction started
    received_at: datetime
    message_id: str
    reservation_id: int | None = None
    connector: str | None = None  # the OCPI Connector.id of that EVSE (its Session's connector_id)
    max_power_w: int | None = None  # the most the EVSE can deliver (W), for meter plausibility
    operator: tuple[str, str] | None = None  # the Location's (country_code, party_id): the station's CPO


@dataclass(frozen=True)
class MeterValuesReported:
    transaction_id: int
    station_id: str
    connector_id: int
    samples: tuple[MeterSample, ...]
    received_at: datetime
    message_id: str


@dataclass(frozen=True)
class TransactionStopped:
    transaction_id: int
    station_id: str
    meter_stop_wh: int
    timestamp: datetime
    received_at: datetime
    message_id: str
    reason: str = "Local"  # OCPP 1.6 §7.46: absent means Local
    id_tag: str | None = None
    authorization: IdTagDecision | None = None
    samples: tuple[MeterSample, ...] = ()  # transactionData


class TransactionEvents(ABC):
    """What happens when a station starts, meters and stops a transaction.

    ``on_start`` / ``on_stop`` must write ``receipt`` atomically with their effects and raise
    ``AlreadyHandled`` when the receipt exists (a retransmission). ``on_meter_values`` must be
    idempotent per message id and raise ``UnknownTransaction`` for a transaction the station never
    started.
    """

    @abstractmethod
    def on_start(self, started: TransactionStarted, receipt: Receipt) -> None: ...

    @abstractmethod
    def on_meter_values(self, reported: MeterValuesReported) -> None: ...

    @abstractmethod
    def on_stop(self, stopped: TransactionStopped, receipt: Receipt) -> None: ...


# --- answers to the hub's calls --------------------------------------------------------------------
@dataclass(frozen=True)
class CallFailure:
    """Why a call got no usable result: the station's CALLERROR (its OCPP error code), an invalid
    CALLRESULT (``InvalidResult``), or the station disconnecting first (``StationDisconnected``)."""

    code: str
    description: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CallOutcome:
    """The answer to a call the hub sent, with the ``context`` its sender stored (e.g. a task token)."""

    station_id: str
    message_id: str
    action: str
    sent_at: datetime
    result: dict[str, Any] | None = None
    failure: CallFailure | None = None
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.failure is None


class CallResultListener(ABC):
    """Receives the outcome of every call the hub sent (the command lifecycle resumes its workflow from it)."""

    @abstractmethod
    def on_outcome(self, outcome: CallOutcome) -> None: ...


@dataclass(frozen=True)
class FollowUp:
    """A call the hub sends to the station once the answer to its message went out (``context`` is
    stored with the call and comes back with its ``CallOutcome``)."""

    action: str
    payload: dict[str, Any]
    context: dict[str, Any]
