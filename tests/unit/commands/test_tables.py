"""Profile §11, every row of Tables 16-22 (CommandResponse and CommandResult of START_SESSION,
STOP_SESSION and UNLOCK_CONNECTOR), and the hub's (choice) rows: result and message exactly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mobie_hub.commands import tables
from mobie_hub.commands.tables import StartFacts, StopFacts, UnlockFacts

START_RESPONSE_ROWS = [
    # token valid, EVSE uid in location, station online → result, message
    ("accepted", (True, True, True), "ACCEPTED", None),
    ("offline", (True, True, False), "REJECTED", "The requested charging station is currently offline."),
    (
        "offline whatever else",
        (False, False, False),
        "REJECTED",
        "The requested charging station is currently offline.",
    ),
    ("token invalid", (False, True, True), "REJECTED", "The requested token is invalid."),
    ("token invalid, EVSE unknown", (False, False, True), "REJECTED", "The requested token is invalid."),
    (
        "EVSE not in location",
        (True, False, True),
        "REJECTED",
        "The requested EVSE UID does not exist in the location.",
    ),
]


@pytest.mark.parametrize(
    ("row", "facts", "result", "message"), START_RESPONSE_ROWS, ids=[r[0] for r in START_RESPONSE_ROWS]
)
def test_start_session_response(row, facts, result, message):
    token_valid, evse_in_location, station_online = facts
    decision = tables.start_session_response(
        token_valid=token_valid,
        evse_in_location=evse_in_location,
        station_online=station_online,
        remote_capable=True,
    )
    assert (decision.result, decision.message) == (result, message)


# Profile §11 STOP_SESSION: "A station that cannot stop remotely → NOT_SUPPORTED" (no message);
# (choice) START_SESSION likewise. Whatever the other facts, once the EVSE is known (issue #17 item 8).
@pytest.mark.parametrize("token_valid", [True, False])
@pytest.mark.parametrize("station_online", [True, False])
def test_start_session_to_an_evse_without_remote_start_stop_is_not_supported(token_valid, station_online):
    decision = tables.start_session_response(
        token_valid=token_valid, evse_in_location=True, station_online=station_online, remote_capable=False
    )
    assert (decision.result, decision.message) == ("NOT_SUPPORTED", None)


def test_an_unknown_evse_is_rejected_as_unknown_not_as_unsupported():
    decision = tables.start_session_response(
        token_valid=True, evse_in_location=False, station_online=True, remote_capable=False
    )
    assert (decision.result, decision.message) == (
        "REJECTED",
        "The requested EVSE UID does not exist in the location.",
    )


def start(
    conf=True, status="Accepted", st=False, same=False, other=False, oos=False, timed_out=False, failure=None
):
    return StartFacts(conf, status if conf else None, st, same, other, oos, timed_out, failure)


START_RESULT_ROWS = [
    ("conf Accepted, ST", start(st=True), "ACCEPTED", None),
    ("no conf, ST", start(conf=False, st=True), "ACCEPTED", "WARNING! Original ack not received."),
    (
        "conf Accepted, no ST, timeout",
        start(timed_out=True),
        "FAILED",
        "The charging station has not confirmed that it started the transaction.",
    ),
    (
        "Rejected, same token active",
        start(status="Rejected", same=True),
        "EVSE_OCCUPIED",
        "The current user has an active transaction on the EVSE.",
    ),
    (
        "Rejected, EVSE out of service",
        start(status="Rejected", oos=True),
        "EVSE_INOPERATIVE",
        "The requested EVSE is out of service.",
    ),
    (
        "Rejected, other token active",
        start(status="Rejected", other=True),
        "EVSE_OCCUPIED",
        "The EVSE is currently occupied.",
    ),
    ("no conf, no ST, timeout", start(conf=False, timed_out=True), "TIMEOUT", None),
    (
        "(choice) Rejected, none of the above",
        start(status="Rejected"),
        "REJECTED",
        "The charging station has rejected the request.",
    ),
    (
        "(choice) station offline at send",
        start(conf=False, failure="offline"),
        "FAILED",
        "The requested charging station is currently offline.",
    ),
    (
        "(choice) station busy at send",
        start(conf=False, failure="busy"),
        "FAILED",
        "The charging station is busy with another request.",
    ),
]


@pytest.mark.parametrize(
    ("row", "facts", "result", "message"), START_RESULT_ROWS, ids=[r[0] for r in START_RESULT_ROWS]
)
def test_start_session_result(row, facts, result, message):
    decision = tables.start_session_result(facts)
    assert (decision.result, decision.message) == (result, message)


def test_start_session_result_is_never_accepted_without_a_start_transaction():
    for conf in (True, False):
        for status in ("Accepted", "Rejected"):
            for timed_out in (True, False):
                facts = start(conf=conf, status=status, timed_out=timed_out)
                assert tables.start_session_result(facts).result != "ACCEPTED"


STOP_RESPONSE_ROWS = [
    # session exists, active, owned by the EMSP, station online
    ("accepted", (True, True, True, True), "ACCEPTED", None),
    ("offline", (True, True, True, False), "REJECTED", "The requested session is currently offline."),
    (
        "active, not owned",
        (True, True, False, True),
        "REJECTED",
        "The requested session is not owned by the requesting party.",
    ),
    (
        "active, not owned, offline",
        (True, True, False, False),
        "REJECTED",
        "The requested session is not owned by the requesting party.",
    ),
    ("inactive, owned", (True, False, True, True), "REJECTED", "The requested session is no longer active."),
    (
        "inactive, not owned",
        (True, False, False, False),
        "REJECTED",
        "The requested session is not owned by the requesting party.",
    ),
    ("unknown", (False, False, False, True), "UNKNOWN_SESSION", None),
]


@pytest.mark.parametrize(
    ("row", "facts", "result", "message"), STOP_RESPONSE_ROWS, ids=[r[0] for r in STOP_RESPONSE_ROWS]
)
def test_stop_session_response(row, facts, result, message):
    exists, active, owned, online = facts
    decision = tables.stop_session_response(
        session_exists=exists, active=active, owned=owned, station_online=online, remote_capable=True
    )
    assert (decision.result, decision.message) == (result, message)


@pytest.mark.parametrize("active", [True, False])
@pytest.mark.parametrize("online", [True, False])
def test_stop_session_of_an_evse_without_remote_start_stop_is_not_supported(active, online):
    decision = tables.stop_session_response(
        session_exists=True, active=active, owned=True, station_online=online, remote_capable=False
    )
    assert (decision.result, decision.message) == ("NOT_SUPPORTED", None)


def test_another_partys_session_on_such_an_evse_is_still_not_owned():
    decision = tables.stop_session_response(
        session_exists=True, active=True, owned=False, station_online=True, remote_capable=False
    )
    assert (decision.result, decision.message) == (
        "REJECTED",
        "The requested session is not owned by the requesting party.",
    )


def stop(
    conf=True, status="Accepted", sp=False, reason=None, timed_out=False, version="1.6", not_supported=False
):
    return StopFacts(conf, status if conf else None, sp, reason, timed_out, version, not_supported)


STOP_RESULT_ROWS = [
    ("conf Accepted, SP Remote", stop(sp=True, reason="Remote"), "ACCEPTED", None),
    (
        "conf Accepted, SP from an OCPP 1.5 station",
        stop(sp=True, reason="Local", version="1.5"),
        "ACCEPTED",
        None,
    ),
    ("conf Accepted, SP other reason", stop(sp=True, reason="EVDisconnected"), "ACCEPTED", "EVDisconnected"),
    (
        "no conf, SP",
        stop(conf=False, sp=True, reason="Remote"),
        "ACCEPTED",
        "WARNING! Original ack not received. Remote",
    ),
    (
        "conf Accepted, no SP, timeout",
        stop(timed_out=True),
        "FAILED",
        "The charging station has not confirmed that it stopped the transaction.",
    ),
    ("conf Rejected", stop(status="Rejected"), "FAILED", "The charging station has rejected the request."),
    ("no conf, no SP, timeout", stop(conf=False, timed_out=True), "TIMEOUT", None),
    ("(choice) CALLERROR NotSupported", stop(status="Rejected", not_supported=True), "NOT_SUPPORTED", None),
]


@pytest.mark.parametrize(
    ("row", "facts", "result", "message"), STOP_RESULT_ROWS, ids=[r[0] for r in STOP_RESULT_ROWS]
)
def test_stop_session_result(row, facts, result, message):
    decision = tables.stop_session_result(facts)
    assert (decision.result, decision.message) == (result, message)


ENDED = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
UNLOCK_RESPONSE_ROWS = [
    # active session of the EMSP's user, else its user's session ended under 24 h ago, station online
    ("active, online", (True, None, True), "ACCEPTED", None),
    (
        "active, offline",
        (True, None, False),
        "REJECTED",
        "Impossible to perform the requested command as the charging station is offline.",
    ),
    (
        "recent, online",
        (False, ENDED, True),
        "ACCEPTED",
        "Warning: the charging session had ended at 2026-12-01T08:30:00Z",
    ),
    (
        "recent, offline",
        (False, ENDED, False),
        "REJECTED",
        (
            "Impossible to perform the requested command as the charging station is offline. "
            "Warning: the charging session had ended at 2026-12-01T08:30:00Z"
        ),
    ),
    (
        "none, online",
        (False, None, True),
        "REJECTED",
        "There is no valid session owned by the EMSP on the charging station",
    ),
    (
        "none, offline",
        (False, None, False),
        "REJECTED",
        "There is no valid session owned by the EMSP on the charging station",
    ),
]


@pytest.mark.parametrize(
    ("row", "facts", "result", "message"), UNLOCK_RESPONSE_ROWS, ids=[r[0] for r in UNLOCK_RESPONSE_ROWS]
)
def test_unlock_response(row, facts, result, message):
    active, recent, online = facts
    decision = tables.unlock_response(
        active_session_of_emsp=active, recent_stop=recent, station_online=online
    )
    assert (decision.result, decision.message) == (result, message)


UNLOCK_RESULT_ROWS = [
    ("Unlocked (1.6)", UnlockFacts(True, "Unlocked", False), "ACCEPTED"),
    ("Accepted (1.5)", UnlockFacts(True, "Accepted", False), "ACCEPTED"),
    ("Rejected (1.5)", UnlockFacts(True, "Rejected", False), "REJECTED"),
    ("UnlockFailed (1.6)", UnlockFacts(True, "UnlockFailed", False), "FAILED"),
    ("NotSupported (1.6)", UnlockFacts(True, "NotSupported", False), "NOT_SUPPORTED"),
    ("no conf, timeout", UnlockFacts(False, None, True), "TIMEOUT"),
    ("(choice) CALLERROR", UnlockFacts(True, "InternalError", False), "FAILED"),
]


@pytest.mark.parametrize(
    ("row", "facts", "result"), UNLOCK_RESULT_ROWS, ids=[r[0] for r in UNLOCK_RESULT_ROWS]
)
def test_unlock_result(row, facts, result):
    decision = tables.unlock_result(facts)
    assert (decision.result, decision.message) == (result, None)
