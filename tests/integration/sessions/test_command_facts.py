"""``SessionFacts`` onto the real sessions repository (moto): what the command tables read."""

from __future__ import annotations

from mobie_hub.sessions.command_facts import RepositorySessionFacts
from tests.integration.commands.conftest import EDP, EVSE, STATION


def test_a_pending_session_is_readable_not_active_and_can_be_invalidated(aws):
    facts = RepositorySessionFacts()
    session_id = facts.open_pending(STATION, EVSE, "LSB-00175-01-01", EDP, None)

    pending = facts.get(session_id)
    assert (pending.status, pending.active, pending.transaction_id) == ("PENDING", False, None)
    assert pending.owned_by("pt", "edp") and pending.same_token(EDP)
    assert facts.active_on_evse(STATION, EVSE) is None
    assert facts.last_on_evse(STATION, EVSE).id == session_id

    facts.invalidate_pending(session_id)
    assert facts.get(session_id).status == "INVALID"
    assert facts.get("no-such-session") is None
