"""Pull sync reconciliation (mod_tokens pull model) against an in-memory store."""

from __future__ import annotations

import pytest

from mobie_hub.core.errors import UnableToUseClientApi
from mobie_hub.tokens import sync as token_sync
from mobie_hub.tokens.models import Token
from mobie_hub.tokens.sync import reconcile
from tests.support.fake_tokens import FakeTokenStore
from tests.support.tokens import APP_UID, app_token, rfid_token


def holding(*bodies: dict) -> FakeTokenStore:
    store = FakeTokenStore()
    for body in bodies:
        store.put_token(Token.model_validate(body))
    store.writes = 0
    return store


def valid_of(store: FakeTokenStore, uid: str) -> bool:
    [stored] = [s for s in store.items.values() if s.token.uid == uid]
    return stored.token.valid


def test_an_empty_hub_adds_every_listed_token():
    store = holding()
    report = reconcile("PT", "EDP", [rfid_token(), app_token()], store=store)
    assert report.listed == 2
    assert report.counts["added"] == 2
    assert report.ids["added"] == ["RFID/04A1B2C3D4E5F6", f"APP_USER/{APP_UID}"]
    assert store.writes == 2


def test_identical_tokens_are_unchanged_and_not_written():
    store = holding(rfid_token())
    report = reconcile("PT", "EDP", [rfid_token()], store=store)
    assert report.counts["unchanged"] == 1 and store.writes == 0


def test_a_token_with_a_newer_or_equal_last_updated_and_new_content_is_updated():
    store = holding(rfid_token())
    listed = [rfid_token(visual_number="NEW", last_updated="2024-03-02T00:00:00Z")]
    report = reconcile("PT", "EDP", listed, store=store)
    assert report.ids["updated"] == ["RFID/04A1B2C3D4E5F6"]
    assert [s.token.visual_number for s in store.items.values()] == ["NEW"]


def test_the_hubs_more_recent_copy_is_kept():
    # Given the EMSP pushed a change after producing its list
    store = holding(rfid_token(valid=False, last_updated="2024-04-01T00:00:00Z"))
    report = reconcile("PT", "EDP", [rfid_token()], store=store)
    assert report.ids["kept"] == ["RFID/04A1B2C3D4E5F6"]
    assert valid_of(store, "04A1B2C3D4E5F6") is False and store.writes == 0


def test_tokens_no_longer_listed_are_invalidated_keeping_their_last_updated():
    store = holding(rfid_token(), app_token())
    report = reconcile("PT", "EDP", [app_token()], store=store)
    assert report.ids["invalidated"] == ["RFID/04A1B2C3D4E5F6"]
    [rfid] = [s for s in store.items.values() if s.token.uid == "04A1B2C3D4E5F6"]
    assert rfid.token.valid is False
    assert rfid.token.last_updated == Token.model_validate(rfid_token()).last_updated


def test_an_invalidated_token_listed_again_is_restored():
    store = holding(rfid_token())
    reconcile("PT", "EDP", [], store=store)
    report = reconcile("PT", "EDP", [rfid_token()], store=store)
    assert report.ids["updated"] == ["RFID/04A1B2C3D4E5F6"]
    assert valid_of(store, "04A1B2C3D4E5F6") is True


def test_missing_tokens_already_invalid_are_left_alone():
    store = holding(rfid_token(valid=False))
    report = reconcile("PT", "EDP", [], store=store)
    assert report.counts["already_invalid"] == 1 and store.writes == 0


def test_keep_missing_only_reports():
    store = holding(rfid_token())
    report = reconcile("PT", "EDP", [], store=store, invalidate_missing=False)
    assert report.ids["missing"] == ["RFID/04A1B2C3D4E5F6"]
    assert valid_of(store, "04A1B2C3D4E5F6") is True and store.writes == 0


def test_a_dry_run_reports_everything_and_writes_nothing():
    store = holding(rfid_token(), app_token())
    listed = [app_token(visual_number="X"), rfid_token(uid="0000AAAA")]
    report = reconcile("PT", "EDP", listed, store=store, dry_run=True)
    assert (report.counts["updated"], report.counts["added"], report.counts["invalidated"]) == (1, 1, 1)
    assert store.writes == 0 and report.as_dict()["dry_run"] is True


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (rfid_token(whitelist="ALLOWED"), "whitelist"),
        (rfid_token(valid="maybe"), "valid"),
        (rfid_token(party_id="GLP", contract_id="PT-GLP-C-1234ABCD-1"), "party_id"),
        ("not an object", "token"),
    ],
)
def test_listed_tokens_that_break_a_rule_are_rejected_and_not_stored(raw, reason):
    store = holding()
    report = reconcile("PT", "EDP", [raw], store=store)
    assert report.counts["rejected"] == 1 and store.writes == 0
    assert reason in next(iter(report.reasons.values()), reason)


def test_a_rejected_listing_does_not_invalidate_the_hubs_copy():
    # Given the hub holds a good token, and the EMSP now lists it with whitelist NEVER
    store = holding(rfid_token())
    report = reconcile(
        "PT", "EDP", [rfid_token(whitelist="NEVER", last_updated="2024-05-01T00:00:00Z")], store=store
    )
    # Then it is rejected, but still listed: neither replaced nor invalidated
    assert report.counts["rejected"] == 1 and report.counts["invalidated"] == 0
    assert valid_of(store, "04A1B2C3D4E5F6") is True


def test_other_partys_tokens_in_the_hub_are_not_touched():
    store = holding(rfid_token(party_id="GLP", contract_id="PT-GLP-C-1234ABCD-1"))
    report = reconcile("PT", "EDP", [], store=store)
    assert report.counts["invalidated"] == 0 and store.writes == 0


def test_a_failing_page_stops_the_sync_before_invalidating():
    store = holding(rfid_token(), app_token())

    def pages():
        yield rfid_token(visual_number="CHANGED", last_updated="2024-05-01T00:00:00Z")
        raise UnableToUseClientApi(
            "GET https://emsp/tokens?offset=1: HTTP 502"
        )  # as the outbound client does

    with pytest.raises(
        UnableToUseClientApi, match="after 1 tokens .*updated 1.*nothing invalidated.*HTTP 502"
    ):
        reconcile("PT", "EDP", pages(), store=store)
    assert valid_of(store, APP_UID) is True  # not listed yet, but the list was incomplete


def test_id_lists_are_capped_but_counts_are_exact(monkeypatch):
    monkeypatch.setattr(token_sync, "MAX_IDS", 2)
    listed = [rfid_token(uid=f"{i:08X}") for i in range(5)]
    report = reconcile("PT", "EDP", listed, store=holding()).as_dict()
    assert report["counts"]["added"] == 5 and len(report["ids"]["added"]) == 2 and report["truncated"] is True
