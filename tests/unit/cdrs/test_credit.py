"""Credit CDRs (issue #17 item 10): the credit repeats the CDR with every amount negated, so the pair
nets to zero in the EMSP's books; the reason rides in ``remark``; a credit CDR is not credited again."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from mobie_hub.cdrs.credit import COST_FIELDS, checked_reason, credit_for
from mobie_hub.cdrs.models import MobieCdr
from mobie_hub.core.errors import InvalidRequest
from mobie_hub.core.models import dump_ocpi

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
DOC = Path(__file__).resolve().parents[3] / "docs" / "mobie-extensions.md"


@pytest.fixture
def original() -> MobieCdr:
    """The CDR of docs/mobie-extensions.md (every cost field, VAT, TAR in two periods), with a parking
    and a reservation cost of zero so that a zero is seen to stay zero."""
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    document = next(json.loads(b) for b in blocks if '"cdr_token"' in b)
    document["total_reservation_cost"] = {"excl_vat": 0, "incl_vat": 0}
    return MobieCdr.model_validate(document)


def credit(original: MobieCdr, **changes) -> MobieCdr:
    arguments = {"credit_id": "C-1", "reason": "wrong tariff applied", "now": NOW, **changes}
    return credit_for(original, **arguments)


def test_the_credit_names_its_original_and_carries_the_reason_and_its_own_time(original):
    made = credit(original)
    assert (made.id, made.credit, made.credit_reference_id) == ("C-1", True, original.id)
    assert made.remark == "wrong tariff applied" and made.last_updated == NOW
    assert (made.country_code, made.party_id, made.session_id) == ("PT", "MOB", original.session_id)
    assert made.cdr_token == original.cdr_token  # the same owner: the push goes to the same EMSP


def test_every_cost_is_negated_so_the_pair_nets_to_zero(original):
    made = credit(original)
    for name in COST_FIELDS:
        before, after = getattr(original, name), getattr(made, name)
        assert after.excl_vat == -before.excl_vat, name
        assert (after.incl_vat, before.incl_vat) == (None, None) or after.incl_vat == -before.incl_vat, name
    assert made.total_cost.excl_vat == Decimal("-6.39") and made.total_cost.incl_vat == Decimal("-7.86")
    # a zero stays a plain zero, not -0
    assert str(made.total_reservation_cost.excl_vat) == "0"
    assert dump_ocpi(made)["total_parking_cost"] == {"excl_vat": 0}


def test_the_extension_is_negated_line_by_line_and_its_totals_still_add_up(original):
    before, after = original.mobie_cdr_extension, credit(original).mobie_cdr_extension
    for old, new in zip(before.lines, after.lines, strict=True):
        assert (new.type, new.unit, new.time_period) == (old.type, old.unit, old.time_period)
        assert new.unit_price == old.unit_price
        assert (new.quantity, new.amount_excl_vat) == (-old.quantity, -old.amount_excl_vat)
    assert (after.total_excl_vat, after.vat.amount, after.total_incl_vat) == (
        Decimal("-6.39"), Decimal("-1.47"), Decimal("-7.86"))
    assert after.vat.rate == before.vat.rate
    assert sum(line.amount_excl_vat for line in after.lines) == after.total_excl_vat


def test_what_was_measured_stays_as_it_was(original):
    made = credit(original)
    for name in ("start_date_time", "end_date_time", "total_energy", "total_time", "total_parking_time",
                 "charging_periods", "cdr_location", "currency", "auth_method"):
        assert getattr(made, name) == getattr(original, name), name
    assert made.mobie_cdr_extension.sub_usages == original.mobie_cdr_extension.sub_usages


def test_a_credit_cdr_is_not_credited_again(original):
    with pytest.raises(InvalidRequest, match="is a credit CDR .* a credit is not credited"):
        credit(credit(original), credit_id="C-2")


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_credit_needs_a_reason(reason):
    with pytest.raises(InvalidRequest, match="needs a reason"):
        checked_reason(reason)


def test_the_reason_fits_a_remark_and_is_one_line():
    assert checked_reason("  meter\nreading\twrong ") == "meter reading wrong"
    assert checked_reason("x" * 255) == "x" * 255
    with pytest.raises(InvalidRequest, match="256 characters; a CDR remark holds at most 255"):
        checked_reason("x" * 256)
