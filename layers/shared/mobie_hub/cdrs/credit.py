"""Credit CDRs: how an operator corrects a CDR already billed (OCPI 2.2.1 mod_cdrs "Credit CDRs"; issue #17
item 10; docs/sessions.md "Credit CDRs").

A CDR is an invoice: it is never changed or deleted once sent, it is credited. The credit CDR has a new
id, ``credit: true`` and ``credit_reference_id`` = the original's id, and repeats the original's data
with every amount negated, so the EMSP's books net to zero over the pair:
- the OCPI costs (``total_cost`` and the sub-totals ``total_fixed_cost`` … ``total_reservation_cost``,
  ``excl_vat`` and ``incl_vat``): OCPI asks it of ``total_cost``, and the hub's sub-totals are sums of
  ``mobie_cdr_extension`` lines (docs/mobie-extensions.md), which are negated too;
- ``mobie_cdr_extension``: each line's ``quantity`` and ``amount_excl_vat`` (``unit_price`` stays, so
  quantity × price = amount still holds), ``vat.amount``, ``total_excl_vat``, ``total_incl_vat``.
What was measured stays as it was (energy, times, charging periods, sub-usages, tariffs): the credit
describes the same charge. ``remark`` carries the operator's reason (the EMSP sees why) and
``last_updated`` is the credit's time, so a ``date_from`` sync of GET /cdrs finds it.

A CDR is credited once (the credit mark, written with the credit CDR in one transaction), and a credit
CDR is not itself credited. The stored credit CDR reaches the EMSP as every CDR does: the cdrs table
stream → ``CdrCreated`` → POST to the owner's cdrs receiver.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from mobie_hub.cdrs import repository as cdrs
from mobie_hub.cdrs.models import MobieCdr
from mobie_hub.core.errors import InvalidRequest, NotFound
from mobie_hub.core.observability import count, logger
from mobie_hub.core.types import format_datetime, utcnow

REASON_MAX = 255  # OCPI CDR remark: string(255)
COST_FIELDS = (
    "total_cost",
    "total_fixed_cost",
    "total_energy_cost",
    "total_time_cost",
    "total_parking_cost",
    "total_reservation_cost",
)


class AlreadyCredited(InvalidRequest):
    """The CDR has its credit CDR already: a CDR is credited once (a correction after the credit is a new
    CDR, not a second credit). Named apart so that the CLI and scripts tell it from a malformed request."""


def _negated(value: Any) -> Any:
    # 0 - x, not -x: a zero stays 0 rather than becoming Decimal("-0"), which some JSON readers print as -0.
    return Decimal(0) - value if isinstance(value, Decimal) else value


def _negated_price(price: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if price is None else {key: _negated(value) for key, value in price.items()}


def _negated_extension(extension: dict[str, Any]) -> dict[str, Any]:
    return {
        **extension,
        "lines": [
            {**line, "quantity": _negated(line["quantity"]),
             "amount_excl_vat": _negated(line["amount_excl_vat"])}
            for line in extension["lines"]
        ],
        "total_excl_vat": _negated(extension["total_excl_vat"]),
        "vat": {**extension["vat"], "amount": _negated(extension["vat"]["amount"])},
        "total_incl_vat": _negated(extension["total_incl_vat"]),
    }


def checked_reason(reason: str | None) -> str:
    """The operator's reason, which the EMSP reads in the credit CDR's ``remark``: required, one line of
    at most 255 characters (OCPI string(255))."""
    text = " ".join((reason or "").split())
    if not text:
        raise InvalidRequest(
            "a credit needs a reason (it becomes the credit CDR's remark, which the EMSP reads)"
        )
    if len(text) > REASON_MAX:
        raise InvalidRequest(f"the reason is {len(text)} characters; a CDR remark holds at most {REASON_MAX}")
    return text


def credit_for(original: MobieCdr, *, credit_id: str, reason: str, now: datetime) -> MobieCdr:
    """The credit CDR of ``original`` (pure; validated as every CDR the hub sends). A credit CDR is
    refused: crediting a credit would bill the charge again, which is a new CDR's job."""
    if original.credit:
        raise InvalidRequest(
            f"CDR {original.id} is a credit CDR (of {original.credit_reference_id}); a credit is not credited"
        )
    if credit_id == original.id:
        raise ValueError("a credit CDR needs an id of its own")
    document = original.model_dump(exclude_none=True)
    for name in COST_FIELDS:
        if name in document:
            document[name] = _negated_price(document[name])
    document.update(
        id=credit_id,
        credit=True,
        credit_reference_id=original.id,
        remark=checked_reason(reason),
        mobie_cdr_extension=_negated_extension(document["mobie_cdr_extension"]),
        last_updated=now,
    )
    return MobieCdr.model_validate(document)


def new_credit_id() -> str:
    """A fresh id (a UUID, 36 characters like the hub's other CDR ids): OCPI wants the credit's id unique
    within the hub's CDRs, and a UUID cannot meet a session-derived CDR id."""
    return str(uuid.uuid4())


def _already_credited(cdr_id: str, credited_by: str, credited_at: str | None) -> AlreadyCredited:
    when = f" at {credited_at}" if credited_at else ""
    return AlreadyCredited(
        f"CDR {cdr_id} is credited already by credit CDR {credited_by}{when}; a CDR is credited once"
    )


def credit_cdr(cdr_id: str, reason: str | None, *, now: datetime | None = None) -> MobieCdr:
    """Make, store and mark the credit of the CDR ``cdr_id``; the cdrs table stream pushes it to the
    EMSP. NotFound for an unknown CDR, AlreadyCredited for a second credit (also one racing this),
    InvalidRequest for a credit CDR or a missing reason. Nothing is written when it refuses."""
    text = checked_reason(reason)
    record = cdrs.get_cdr_record(cdr_id)
    if record is None:
        raise NotFound(f"no CDR {cdr_id}")
    if record.credited_by is not None:
        raise _already_credited(cdr_id, record.credited_by, record.credited_at)
    now = now or utcnow()
    credit = credit_for(record.cdr, credit_id=new_credit_id(), reason=text, now=now)
    try:
        cdrs.store_credit(credit, credited_at=now, cpo=record.cpo)
    except cdrs.AlreadyCreditedMark as mark:
        raise _already_credited(cdr_id, mark.credited_by, mark.credited_at) from None
    logger.info(
        "CDR credited",
        cdr_id=cdr_id,
        credit_id=credit.id,
        total_cost=str(credit.total_cost.excl_vat),
        reason=text,
        at=format_datetime(now),
    )
    count("CdrCredited")
    return credit
