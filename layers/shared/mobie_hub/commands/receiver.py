"""The commands receiver (profile §11): check a command request, answer the CommandResponse of the
profile's tables at once, and for an ACCEPTED one store the command and start its lifecycle.

Reads only (one GetItem each): the token, the Location, the station's connection, sessions. Nothing
is written for a REJECTED / UNKNOWN_SESSION answer, nor for a refused request: a ``response_url`` the
outbound URL policy refuses (2001, issue #12), a Location GET would not show (private or unknown, 2003).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple

from mobie_hub.commands import repository as commands
from mobie_hub.commands import response_tables as tables
from mobie_hub.commands.config import command_settings
from mobie_hub.commands.models import (
    CommandResponse,
    CommandResponseType,
    StartSession,
    StopSession,
    UnlockConnector,
)
from mobie_hub.commands.ports import CommandWorkflow, SessionFacts
from mobie_hub.commands.repository import Command
from mobie_hub.commands.response_tables import Decision
from mobie_hub.core.errors import InvalidRequest, UnknownLocation
from mobie_hub.core.models import DisplayText, dump_ocpi
from mobie_hub.core.observability import logger
from mobie_hub.core.types import utcnow
from mobie_hub.locations.view import EvseView, LocationView, location_view
from mobie_hub.ocpp import api as stations
from mobie_hub.ocpp.values import TokenRef
from mobie_hub.outbound.url_policy import check_party_url
from mobie_hub.tokens import api as tokens
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.rules import AuthorizationStatus, authorization_status, id_tag_for

LAST_USER_WINDOW = timedelta(hours=24)  # profile §11 UNLOCK_CONNECTOR: the last user, under 24 h ago


class Requester(NamedTuple):
    """The EMSP sending the command (the authenticated caller) and the X-Correlation-ID of its request,
    which the CommandResult POST carries back (OCPI: every message of one exchange shares it)."""

    country_code: str
    party_id: str
    correlation_id: str | None = None


def command_response(decision: Decision, timeout: int) -> CommandResponse:
    """OCPI CommandResponse: ``message`` as a DisplayText list in English (profile §11 texts)."""
    message = [DisplayText(language="en", text=decision.message)] if decision.message else None
    return CommandResponse(result=decision.result, timeout=timeout, message=message)


def _uuid(value: str | None) -> None:
    if value is None:
        return
    try:
        uuid.UUID(value)
    except ValueError:
        raise InvalidRequest("must be a UUID (profile §11)", field="authorization_reference") from None


def _location(location_id: str) -> LocationView:
    """The Location as the EMSP may see it: a private station (``publish`` false) does not exist for
    it, exactly as the Locations GET answers (locations/router.py ``published``)."""
    location = location_view(location_id)
    if location is None or not location.publish:
        raise UnknownLocation(f"location {location_id} does not exist")
    return location


def _evse(location: LocationView, evse_uid: str) -> tuple[int, EvseView] | None:
    """The EVSE and its OCPP connectorId (its 1-based place in the Location, docs/ocpp.md)."""
    for position, evse in enumerate(location.evses, start=1):
        if evse.uid.upper() == evse_uid.upper() and not evse.removed:
            return position, evse
    return None


def _session_evse_capable(location_id: str, evse_uid: str | None) -> bool:
    """Whether the EVSE of a session can be stopped remotely (one GetItem). An EVSE the registry no
    longer holds (re-imported, removed) is not refused on missing data: the table's other rows decide."""
    location = location_view(location_id)
    for evse in location.evses if location is not None else ():
        if evse_uid is not None and evse.uid.upper() == evse_uid.upper():
            return evse.remote_start_stop_capable
    return True


def _has_connector(evse: EvseView, connector_id: str) -> bool:
    return any(c.upper() == connector_id.upper() for c in evse.connector_ids)


def _online(station_id: str) -> bool:
    return stations.get_connection(station_id) is not None


def _comparable(token: Token) -> dict:
    # last_updated is when the EMSP last changed it; the properties are everything else (profile §11).
    dumped = dump_ocpi(token)
    dumped.pop("last_updated", None)
    return {k: v.upper() if k in ("country_code", "party_id", "uid") else v for k, v in dumped.items()}


def token_valid(token: Token, requester: Requester) -> bool:
    """Profile §11: the token exists at MOBI.E, has the same properties, belongs to the requesting
    party, and the whitelist accepts it (a token the EMSP invalidated cannot start a charge), and its
    idTag stands for this token alone at the stations (one Query + one GetItem)."""
    if (token.country_code.upper(), token.party_id.upper()) != (requester.country_code, requester.party_id):
        return False
    stored = tokens.get_token(tokens.TokenKey.of(token))
    if stored is None or _comparable(stored.token) != _comparable(token):
        return False
    if authorization_status(stored.token) != AuthorizationStatus.ACCEPTED:
        return False
    # The station will authorise the idTag, not the token: an idTag another EMSP's valid token also
    # holds is refused there (fail closed, issue #12), so the command is rejected here already.
    decided = tokens.resolve(id_tag_for(stored.token)).token
    return decided is not None and tokens.TokenKey.of(decided).normalized == stored.key.normalized


class CommandReceiver:
    """One per request: the ports the tables need and the clock."""

    def __init__(
        self,
        sessions: SessionFacts,
        workflow: CommandWorkflow,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.workflow = workflow
        self.clock = clock

    def _accept(self, command: Command) -> None:
        commands.put_command(command, retention=timedelta(days=command_settings().retention_days))
        try:
            self.workflow.start(command.command_id, command.timeout_seconds)
        except Exception:  # whatever failed, re-raised below
            # No lifecycle will decide it: nothing may stay WAITING or PENDING (the EMSP gets a 5xx).
            commands.record_decision(command, "FAILED", "The command could not be started.", self.clock())
            if command.command_type == "START_SESSION" and command.session_id:
                self.sessions.invalidate_pending(command.session_id)
            raise
        logger.info(
            "command accepted",
            command_id=command.command_id,
            command_type=command.command_type,
            station_id=command.station_id,
            party=f"{command.party_country_code}/{command.party_id}",
        )

    def _command(
        self, command_type: str, requester: Requester, response_url: str, station_id: str, **facts
    ) -> Command:
        return Command(
            command_id=str(uuid.uuid4()),
            command_type=command_type,
            party_country_code=requester.country_code,
            party_id=requester.party_id,
            response_url=str(response_url),
            station_id=station_id,
            timeout_seconds=command_settings().timeout_for(command_type),
            created_at=self.clock(),
            correlation_id=requester.correlation_id,
            **facts,
        )

    def start_session(self, request: StartSession, requester: Requester) -> CommandResponse:
        check_party_url(str(request.response_url), field="response_url")
        timeout = command_settings().start_timeout_seconds
        if request.evse_uid is None:
            raise InvalidRequest("is mandatory in MOBI.E (profile §11)", field="evse_uid")
        _uuid(request.authorization_reference)
        location = _location(request.location_id)
        found = _evse(location, request.evse_uid)
        if found and request.connector_id is not None and not _has_connector(found[1], request.connector_id):
            found = None  # (choice) an unknown connector of the EVSE is answered like an unknown EVSE
        decision = tables.start_session_response(
            token_valid=token_valid(request.token, requester),
            evse_in_location=found is not None,
            station_online=_online(location.id),
            # profile §6 / §11: the EVSE can be started and stopped remotely (RemoteStart/StopTransaction)
            remote_capable=found is not None and found[1].remote_start_stop_capable,
        )
        if decision.result != CommandResponseType.ACCEPTED:
            return command_response(decision, timeout)
        connector, evse = found
        token = request.token
        ref = TokenRef(
            token.country_code.upper(), token.party_id.upper(), str(token.type), token.uid, token.contract_id
        )
        connector_id = request.connector_id or evse.connector_ids[0]
        session_id = self.sessions.open_pending(
            location.id, evse.uid, connector_id, ref, request.authorization_reference,
            (location.country_code, location.party_id),
        )
        self._accept(
            self._command(
                "START_SESSION",
                requester,
                request.response_url,
                location.id,
                evse_uid=evse.uid,
                connector=connector,
                id_tag=id_tag_for(token),
                token=ref,
                session_id=session_id,
                authorization_reference=request.authorization_reference,
            )
        )
        return command_response(decision, timeout)

    def stop_session(self, request: StopSession, requester: Requester) -> CommandResponse:
        check_party_url(str(request.response_url), field="response_url")
        timeout = command_settings().stop_timeout_seconds
        session = self.sessions.get(request.session_id)
        active = session is not None and session.active and session.transaction_id is not None
        owned = session is not None and session.owned_by(requester.country_code, requester.party_id)
        decision = tables.stop_session_response(
            session_exists=session is not None,
            active=active,
            owned=owned,
            station_online=session is not None and _online(session.location_id),
            remote_capable=not owned or _session_evse_capable(session.location_id, session.evse_uid),
        )
        if decision.result == CommandResponseType.ACCEPTED:
            self._accept(
                self._command(
                    "STOP_SESSION",
                    requester,
                    request.response_url,
                    session.location_id,
                    evse_uid=session.evse_uid,
                    session_id=session.id,
                    transaction_id=session.transaction_id,
                )
            )
        return command_response(decision, timeout)

    def unlock_connector(self, request: UnlockConnector, requester: Requester) -> CommandResponse:
        check_party_url(str(request.response_url), field="response_url")
        timeout = command_settings().unlock_timeout_seconds
        location = _location(request.location_id)
        found = _evse(location, request.evse_uid)
        if found is None or not _has_connector(found[1], request.connector_id):
            raise UnknownLocation(
                f"location {location.id} has no EVSE {request.evse_uid} with connector {request.connector_id}"
            )
        connector, evse = found
        active = self.sessions.active_on_evse(location.id, evse.uid)
        ours = active is not None and active.owned_by(requester.country_code, requester.party_id)
        recent_stop = None
        if active is None:
            last = self.sessions.last_on_evse(location.id, evse.uid)
            if (
                last is not None
                and last.owned_by(requester.country_code, requester.party_id)
                and last.end_date_time is not None
                and self.clock() - last.end_date_time < LAST_USER_WINDOW
            ):
                recent_stop = last.end_date_time
        decision = tables.unlock_response(
            active_session_of_emsp=ours, recent_stop=recent_stop, station_online=_online(location.id)
        )
        if decision.result == CommandResponseType.ACCEPTED:
            self._accept(
                self._command(
                    "UNLOCK_CONNECTOR",
                    requester,
                    request.response_url,
                    location.id,
                    evse_uid=evse.uid,
                    connector=connector,
                    session_id=active.id if active else None,
                )
            )
        return command_response(decision, timeout)
