"""Credit CDRs against moto (issue #17 item 10): ``cdrs.credit`` stores the credit CDR and the credit
mark in one transaction, the cdrs table stream pushes it to the owning EMSP like any CDR, GET /cdrs
lists both, and a second credit is refused with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from mobie_hub.admin.registry import dispatch
from mobie_hub.cdrs import repository as cdrs
from mobie_hub.cdrs.creation import Outcome, create_cdr_for
from mobie_hub.cdrs.credit import AlreadyCredited, credit_for, new_credit_id
from mobie_hub.core.dynamodb import table
from mobie_hub.core.errors import InvalidRequest, NotFound
from mobie_hub.sessions import transaction_repository as transactions
from tests.integration.sessions.conftest import charge
from tests.support.fake_party import fake_party
from tests.support.parties import issue, register_receiver

CREDITED_AT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def billed(station, clock, pipeline) -> str:
    """A charge of EDP's token, completed and billed: its CDR's id. The pipeline has read the stream
    up to here, so a later ``pipeline()`` shows only what the credit adds."""
    session_id = transactions.get_transaction(charge(station, clock))["session_id"]
    assert create_cdr_for(session_id) is Outcome.CREATED
    pipeline()
    return cdrs.cdr_id_for(session_id)


def items() -> list[dict]:
    return sorted(table("cdrs").scan()["Items"], key=lambda i: i["pk"])


def test_the_credit_is_stored_marked_pushed_to_the_owner_and_listed(billed, pipeline, client):
    with fake_party() as edp, fake_party() as glp:
        register_receiver(edp.base_url, "EDP", modules=("cdrs",))
        register_receiver(glp.base_url, "GLP", modules=("cdrs",))  # a cdrs receiver that owns nothing here
        original = cdrs.get_cdr(billed)
        seen = len(pipeline()[0])

        result = dispatch("cdrs.credit", {"cdr_id": billed, "reason": "meter fault at LSB-00175"})

        credit = cdrs.get_cdr(result["credit_id"])
        assert result["credit_reference_id"] == billed and result["owner"] == "PT/EDP"
        assert (credit.credit, credit.credit_reference_id) == (True, billed)
        assert credit.remark == "meter fault at LSB-00175"
        assert credit.id != billed and credit.total_cost.excl_vat == -original.total_cost.excl_vat < 0
        assert result["total_cost"]["excl_vat"] == str(credit.total_cost.excl_vat)
        marked = cdrs.get_cdr_record(billed)
        assert marked.credited_by == credit.id and marked.cdr == original  # the CDR itself is unchanged

        # The stream turns the new item into one CdrCreated (the mark on the original into none)
        events = pipeline()[0][seen:]
        assert [(e.event_name, e.detail["cdr"]["id"], e.detail["owner"]["party_id"]) for e in events] == [
            ("CdrCreated", credit.id, "EDP")]
        posts = [r for r in edp.received if r.method == "POST"]
        assert [(r.path, r.body["id"], r.body["credit"], r.body["credit_reference_id"]) for r in posts] == [
            ("/ocpi/emsp/2.2.1/cdrs", credit.id, True, billed)]
        assert Decimal(str(posts[0].body["total_cost"]["excl_vat"])) == -original.total_cost.excl_vat
        body = posts[0].body
        assert body["mobie_cdr_extension"]["total_excl_vat"] == body["total_cost"]["excl_vat"]
        assert glp.received == []

    listed = client.get("/ocpi/2.2.1/cdrs", headers=issue("C", party_id="EDP").headers).json()["data"]
    assert {(c["id"], c.get("credit")) for c in listed} == {(billed, None), (credit.id, True)}
    others = client.get("/ocpi/2.2/cdrs", headers=issue("C", party_id="GLP").headers).json()["data"]
    assert others == []


def test_a_second_credit_is_refused_and_writes_nothing(billed):
    first = dispatch("cdrs.credit", {"cdr_id": billed, "reason": "wrong tariff"})
    before = items()

    refusal = f"CDR {billed} is credited already by credit CDR {first['credit_id']}"
    with pytest.raises(AlreadyCredited, match=refusal):
        dispatch("cdrs.credit", {"cdr_id": billed, "reason": "wrong tariff, again"})
    assert items() == before and len(before) == 2


def test_a_credit_racing_another_one_loses_in_the_transaction_and_writes_nothing(billed):
    # Both read the CDR unmarked; the transaction's condition on the mark decides, not the read.
    original = cdrs.get_cdr(billed)
    first, second = (credit_for(original, credit_id=new_credit_id(), reason=r, now=CREDITED_AT) for r in "ab")
    cdrs.store_credit(first, credited_at=CREDITED_AT)
    before = items()

    with pytest.raises(cdrs.AlreadyCreditedMark) as lost:
        cdrs.store_credit(second, credited_at=CREDITED_AT)
    assert lost.value.credited_by == first.id and lost.value.credited_at == "2026-12-03T10:00:00.000Z"
    assert items() == before and cdrs.get_cdr(second.id) is None


def test_a_credit_cdr_is_not_credited_and_an_unknown_cdr_is_not_found(billed):
    credit_id = dispatch("cdrs.credit", {"cdr_id": billed, "reason": "wrong tariff"})["credit_id"]
    before = items()
    with pytest.raises(InvalidRequest, match="is a credit CDR"):
        dispatch("cdrs.credit", {"cdr_id": credit_id, "reason": "undo the credit"})
    with pytest.raises(NotFound, match="no CDR no-such-cdr"):
        dispatch("cdrs.credit", {"cdr_id": "no-such-cdr", "reason": "typo"})
    assert items() == before


def test_a_credit_of_a_cdr_gone_meanwhile_writes_nothing(billed):
    credit = credit_for(cdrs.get_cdr(billed), credit_id=new_credit_id(), reason="r", now=CREDITED_AT)
    table("cdrs").delete_item(Key=cdrs.cdr_key(billed))
    with pytest.raises(NotFound):
        cdrs.store_credit(credit, credited_at=CREDITED_AT)
    assert items() == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"cdr_id": "x"}, "reason"),
        ({"reason": "why"}, "cdr_id"),
        ({"cdr_id": "x", "reason": "  "}, "needs a reason"),
        ({"cdr_id": "x", "reason": "y" * 256}, "at most 255"),
    ],
)
def test_a_bad_payload_is_a_clear_invalid_request(aws, payload, message):
    with pytest.raises(InvalidRequest, match=message):
        dispatch("cdrs.credit", payload)
