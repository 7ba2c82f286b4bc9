"""Domain errors, raised low (repositories, logic) and mapped to OCPI/HTTP codes in one place
(``mobie_hub.ocpi.error_mapping``). Nothing here knows about HTTP."""

from __future__ import annotations


class HubError(Exception):
    """Base of every error the hub raises on purpose. ``message`` is safe to show to the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- client errors (OCPI 2xxx) -------------------------------------------------------------------
class InvalidRequest(HubError):
    """The request is malformed or its values break a rule (OCPI 2001)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class UnknownCommand(InvalidRequest):
    """A command the OCPI commands module does not define (OCPI 2001, HTTP 404: no such endpoint)."""


class IdTagConflict(InvalidRequest):
    """A valid token of another registered EMSP already holds the OCPP idTag this token would have
    (issue #12: ownership is never decided by a date the party sends). OCPI 2001, HTTP 409; the
    other party is not named to the caller (its customers are its own), only in the hub's log."""


class NotEnoughInformation(HubError):
    """Every required field is there, but not enough to decide, e.g. a real-time authorisation
    without LocationReferences (OCPI 2002). A missing required field, such as a PATCH without
    last_updated, is 2001 (InvalidRequest; ocpi/ocpi#355)."""


class UnknownLocation(HubError):
    """The Location, EVSE or Connector named in the request does not exist (OCPI 2003)."""


class UnknownToken(HubError):
    """The Token named in the request does not exist (OCPI 2004)."""


class NotFound(HubError):
    """Any other object that does not exist (HTTP 404, OCPI 2000)."""


# --- authentication / authorisation --------------------------------------------------------------
class Unauthenticated(HubError):
    """Missing or unknown credentials token, or token A beyond versions/credentials (HTTP 401, OCPI 2000;
    OCPI 2.2.1 transport_and_format §4.1.3)."""


class Forbidden(HubError):
    """Known token, but not allowed here: another party's object, OCPI-from-* naming another party,
    a client certificate that does not belong to the token's party (HTTP 403, OCPI 2000)."""


class MethodNotAllowed(HubError):
    """The operation is not allowed in this state, e.g. POST credentials when registered (HTTP 405)."""


class RateLimited(HubError):
    """Too many requests of a kind in a window (HTTP 429). ``retry_after`` in seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# --- hub errors (OCPI 4xxx) -------------------------------------------------------------------------
class UnknownReceiver(HubError):
    """The OCPI-to-* routing headers name a party the hub cannot route to (OCPI 4001, unknown
    receiver). MOBI.E routes no messages in Phase 1 (profile §3), so only the hub itself is known."""


# --- server errors (OCPI 3xxx) --------------------------------------------------------------------
class UnableToUseClientApi(HubError):
    """Calling the party back failed: unreachable, error answer, garbage (OCPI 3001)."""


class UnsupportedVersion(HubError):
    """The party offers no OCPI version in common with the hub (OCPI 3002)."""


class MissingEndpoints(HubError):
    """The party lacks endpoints the hub requires (OCPI 3003)."""


class ConflictingWrite(HubError):
    """A conditional write lost a race; the caller may retry (HTTP 409, OCPI 2000)."""


# --- OCPP stations ---------------------------------------------------------------------------------
class StationOffline(HubError):
    """The station has no open OCPP connection: never connected, disconnected, or gone (HTTP 409)."""


class StationBusy(HubError):
    """The station still owes the answer to an earlier call from the hub; OCPP-J allows one
    outstanding call per direction (HTTP 409)."""
