"""``SessionFacts`` onto the sessions repository (``sessions.repository``)."""

from __future__ import annotations

from mobie_hub.commands.ports import SessionFacts, SessionView
from mobie_hub.ocpp.ports import TokenRef
from mobie_hub.sessions import repository as sessions
from mobie_hub.sessions.models import Session


def _view(session: Session, transaction_id: int | None = None) -> SessionView:
    token = session.cdr_token  # its country_code / party_id are the EMSP's: the owner (profile §7)
    return SessionView(
        id=session.id,
        status=str(session.status),
        owner_country_code=token.country_code or "",
        owner_party_id=token.party_id or "",
        token_type=str(token.type),
        token_uid=token.uid,
        location_id=session.location_id,
        evse_uid=session.evse_uid,
        transaction_id=transaction_id,
        end_date_time=session.end_date_time,
    )


class RepositorySessionFacts(SessionFacts):
    def open_pending(
        self,
        location_id: str,
        evse_uid: str,
        connector_id: str,
        token: TokenRef,
        authorization_reference: str | None,
        operator: tuple[str, str] | None = None,
    ) -> str:
        return sessions.open_pending_session(
            location_id, evse_uid, connector_id, token, authorization_reference, operator=operator
        ).id

    def get(self, session_id: str) -> SessionView | None:
        record = sessions.get_record(session_id)  # the record: STOP_SESSION needs its OCPP transaction id
        return _view(record.session, record.transaction_id) if record else None

    def active_on_evse(self, location_id: str, evse_uid: str) -> SessionView | None:
        session = sessions.active_session_on_evse(location_id, evse_uid)
        return _view(session) if session else None

    def last_on_evse(self, location_id: str, evse_uid: str) -> SessionView | None:
        session = sessions.last_session_on_evse(location_id, evse_uid)
        return _view(session) if session else None

    def invalidate_pending(self, session_id: str) -> None:
        sessions.invalidate_pending_session(session_id)
