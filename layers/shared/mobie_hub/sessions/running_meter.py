"""The running meter (``RunningMeter``): the meter state of a transaction's Session, kept on its small
TX item (``transaction_repository``) so that a reading writes that item alone.

A transaction with a Session keeps there the meter state every reading updates (``meter``,
``meter_seq``, ``meter_updated``), the push window of its latest pushed write (``meter_window``;
``WINDOW_OPENED`` only in the write of a window's first reading, which the Pipe lets through), the
Session's status and recipients (``owner``, ``station_cpo``). The Session itself is rewritten only at
state changes (``sessions.transactions``): every read that serves a Session merges the running meter
into it: ``current`` gives a Session with the newer meter of its TX item, ``served_time`` its
``last_updated``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mobie_hub.core import transact
from mobie_hub.core.types import format_datetime, parse_datetime
from mobie_hub.sessions import lifecycle
from mobie_hub.sessions.lifecycle import SessionRecord
from mobie_hub.sessions.periods import MeterState
from mobie_hub.sessions.transaction_repository import TABLE, TX_ACTION, WINDOW_OPENED, get_transaction, tx_key


def push_window(at: datetime, seconds: int) -> int:
    """The start (epoch s) of the clock window of ``seconds`` > 0 that ``at`` falls in: the windows the
    session push coalescing uses (``events.sessions.window_of``), so one Session write a window is one
    push a window."""
    return int(at.timestamp()) // seconds * seconds


@dataclass(frozen=True)
class RunningMeter:
    """A session's meter as its TX item keeps it: ``seq`` counts the writes (each conditional on the
    one read), ``updated_at`` is the hub's time of the latest (the served ``last_updated`` of the
    Session), ``window`` the push window of the latest write that was pushed (epoch s: a reading in
    another window opens one, ``WINDOW_OPENED``; without coalescing every reading's ``seq``),
    ``session_status`` the Session's status."""

    meter: MeterState
    seq: int
    updated_at: datetime
    window: int
    session_status: str

    def attributes(self) -> dict[str, Any]:
        return {"meter": self.meter.to_json(), "meter_seq": self.seq, "meter_updated": format_datetime(self.updated_at),
                "meter_window": self.window, "session_status": self.session_status}


def from_item(tx: dict[str, Any]) -> RunningMeter | None:
    """The TX item's running meter; None for a transaction without a Session, or one started before
    the TX item kept it (its Session holds the meter)."""
    if "meter_seq" not in tx:
        return None
    window = tx.get("meter_window", tx.get("session_window"))  # session_window: before issue #18's last cut
    return RunningMeter(
        MeterState.from_json(tx["meter"]), int(tx["meter_seq"]), parse_datetime(tx["meter_updated"]),
        int(window), str(tx["session_status"]),
    )


def pushes_readings(tx: dict[str, Any]) -> bool:
    """Whether the TX item's readings are pushed from its own stream records (its running meter and
    the Session's recipients on it, since issue #18's last cut); an older one's go through the Session."""
    return "meter_window" in tx


def recipients_attributes(record: SessionRecord) -> dict[str, str]:
    """Who the Session's pushes go to, kept on its TX item (the push of a reading names them from
    there): ``owner`` (the token's EMSP, ``PT#EDP``) and ``station_cpo`` (the station's CPO)."""
    attributes = {}
    if record.owner is not None:
        attributes["owner"] = "#".join(record.owner)
    if record.cpo is not None:
        attributes["station_cpo"] = "#".join(record.cpo)
    return attributes


def update_action(
    transaction_id: int, read: RunningMeter, running: RunningMeter, *, opened: bool = False,
    recipients: dict[str, str] | None = None,
) -> transact.Action:
    """Write ``running`` on the TX item (``TX_ACTION``): only if no reading was applied since ``read``
    and the transaction is not stopped. ``opened``: the reading opened a push window
    (``WINDOW_OPENED``, which lets its stream record through to the push path); else that mark goes.
    ``recipients``: set them too (a TX item from before they were kept on it)."""
    attributes = {**running.attributes(), **(recipients or {})}
    names = {f"#{name}": name for name in attributes}
    values: dict[str, Any] = {f":{name}": value for name, value in attributes.items()}
    values[":read"] = read.seq
    expression = "SET " + ", ".join(f"#{n} = :{n}" for n in attributes)
    if opened:
        expression += f", {WINDOW_OPENED} = :meter_window"
    else:
        expression += f" REMOVE {WINDOW_OPENED}"
    condition = "attribute_not_exists(stopped_at) AND #meter_seq = :read"
    return transact.update(
        TABLE, tx_key(transaction_id), expression,
        condition, name=TX_ACTION, ExpressionAttributeNames=names, ExpressionAttributeValues=values,
    )


def served_time(stored: datetime, tx: dict[str, Any] | None) -> datetime:
    """The ``last_updated`` a Session stored at ``stored`` is served with: its running meter's time
    when that is newer (``current``; the meter and its time are written together, so a newer time is a
    newer meter)."""
    running = from_item(tx) if tx and not tx.get("stopped_at") else None
    return max(stored, running.updated_at) if running else stored


def current(record: SessionRecord, tx: dict[str, Any] | None = None) -> SessionRecord:
    """``record`` with its transaction's running meter when that is newer than the Session's: the
    readings since the Session was written (one GetItem of the TX item unless ``tx`` is given). A
    Session that ended, or has no transaction, is returned as it is."""
    if record.transaction_id is None or record.meter is None or record.session.end_date_time is not None:
        return record
    if tx is None:
        tx = get_transaction(record.transaction_id)
    running = from_item(tx) if tx and not tx.get("stopped_at") else None
    if running is None or running.meter == record.meter:
        return record
    return lifecycle.with_meter(record, running.meter, running.updated_at)
