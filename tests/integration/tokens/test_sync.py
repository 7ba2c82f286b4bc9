"""``tokens.sync``: the hub pulls an EMSP's token list through the real outbound client (httpx, with a
MockTransport as the EMSP's tokens SENDER endpoint, paginated with Link) into DynamoDB (moto)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient

from mobie_hub.admin.registry import dispatch
from mobie_hub.core.errors import InvalidRequest, MissingEndpoints, NotFound, UnableToUseClientApi
from mobie_hub.core.versions import Endpoint, InterfaceRole
from mobie_hub.outbound import use_client
from mobie_hub.outbound.httpx_adapter import HttpxOcpiClient
from mobie_hub.parties import repository as parties
from mobie_hub.parties.models import ConnectionStatus
from mobie_hub.parties.party import Party as PartyRecord
from mobie_hub.parties.party import PartyRef, Registration
from mobie_hub.tokens import repository
from mobie_hub.tokens.admin import sync_party_tokens
from tests.support.parties import Party
from tests.support.tokens import APP_UID, app_token, rfid_token

EMSP_TOKENS = "https://emsp.test/ocpi/emsp/2.2.1/tokens"
REF = PartyRef(country_code="PT", party_id="EDP")


class EmspTokenSender:
    """An EMSP's tokens SENDER interface: pages of ``page_size`` with OCPI pagination headers."""

    def __init__(self, tokens: list, *, page_size: int = 2, fail_on_offset: int | None = None) -> None:
        self.tokens, self.page_size, self.fail_on_offset = tokens, page_size, fail_on_offset
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        offset = int(parse_qs(urlparse(str(request.url)).query).get("offset", ["0"])[0])
        if offset == self.fail_on_offset:
            return httpx.Response(502, text="<html>Bad gateway</html>")
        page = self.tokens[offset : offset + self.page_size]
        headers = {"X-Total-Count": str(len(self.tokens)), "X-Limit": str(self.page_size)}
        if offset + self.page_size < len(self.tokens):
            headers["Link"] = (
                f'<{EMSP_TOKENS}?offset={offset + self.page_size}&limit={self.page_size}>; rel="next"'
            )
        body = {"status_code": 1000, "data": page, "timestamp": "2026-01-01T00:00:00Z"}
        return httpx.Response(200, json=body, headers=headers)


def register_emsp(*, endpoints: bool = True, registration: Registration = Registration.REGISTERED) -> None:
    """PT/EDP's party record: registered, with its tokens SENDER endpoint (created, or updated if present)."""
    existing = parties.get_party(REF)
    fields = {
        "registration": registration,
        "connection_status": ConnectionStatus.CONNECTED,
        "version": "2.2.1",
        "party_token": "token-b-of-edp",
        "endpoints": [Endpoint(identifier="tokens", role=InterfaceRole.SENDER, url=EMSP_TOKENS)]
        if endpoints
        else [],
    }
    if existing is None:
        parties.save(PartyRecord(country_code="PT", party_id="EDP", **fields), expected_revision=None)
    else:
        parties.save(existing.model_copy(update=fields), expected_revision=existing.revision)


def client_for(sender: EmspTokenSender) -> HttpxOcpiClient:
    return HttpxOcpiClient(transport=httpx.MockTransport(sender))


def held() -> dict[str, bool]:
    return {s.key: s.stored().token.valid for s in repository.token_states_of_party("PT", "EDP")}


@pytest.fixture
def hub_with_tokens(client: TestClient, emsp: Party) -> TestClient:
    """The hub holds two pushed tokens of PT/EDP: an RFID card and an app token."""
    register_emsp()
    client.put("/ocpi/2.2.1/tokens/PT/EDP/04A1B2C3D4E5F6", json=rfid_token(), headers=emsp.headers)
    client.put(f"/ocpi/2.2.1/tokens/PT/EDP/{APP_UID}?type=APP_USER", json=app_token(), headers=emsp.headers)
    return client


def test_sync_follows_every_page_and_reconciles(hub_with_tokens):
    # Given the EMSP lists: the app token changed, two new cards, one bad token — and no longer the RFID card
    listed = [
        app_token(visual_number="APP-1", last_updated="2024-04-01T00:00:00Z"),
        rfid_token(uid="0000AAAA"),
        rfid_token(uid="0000BBBB"),
        rfid_token(uid="0000CCCC", whitelist="NEVER"),
    ]
    sender = EmspTokenSender(listed)

    # When the hub syncs
    report = sync_party_tokens(REF, client=client_for(sender)).as_dict()

    # Then it read both pages with the EMSP's token and the routing headers
    assert [r.url.params.get("offset") for r in sender.requests] == [None, "2"]
    first = sender.requests[0]
    assert first.headers["Authorization"] == "Token dG9rZW4tYi1vZi1lZHA="  # base64("token-b-of-edp")
    assert (first.headers["OCPI-to-country-code"], first.headers["OCPI-to-party-id"]) == ("PT", "EDP")
    # … and reconciled
    assert report["listed"] == 4
    assert report["ids"]["added"] == ["RFID/0000AAAA", "RFID/0000BBBB"]
    assert report["ids"]["updated"] == [f"APP_USER/{APP_UID}"]
    assert report["ids"]["rejected"] == ["RFID/0000CCCC"]
    assert "whitelist" in report["rejected_reasons"]["RFID/0000CCCC"]
    assert report["ids"]["invalidated"] == ["RFID/04A1B2C3D4E5F6"]
    assert held() == {
        "PT#EDP#RFID#04A1B2C3D4E5F6": False,
        f"PT#EDP#APP_USER#{APP_UID.upper()}": True,
        "PT#EDP#RFID#0000AAAA": True,
        "PT#EDP#RFID#0000BBBB": True,
    }
    assert repository.find_by_id_tag("0000aaaa").party_id == "EDP"  # new cards authorise at once


def test_a_second_sync_of_the_same_list_changes_nothing(hub_with_tokens):
    sender = EmspTokenSender([rfid_token(), app_token()])
    sync_party_tokens(REF, client=client_for(sender))
    report = sync_party_tokens(REF, client=client_for(sender))
    assert report.counts["unchanged"] == 2 and sum(report.counts.values()) == 2


@pytest.fixture
def emsp_sending_one_new_card():
    """The process's outbound client talks to an EMSP whose list holds one card the hub lacks."""
    use_client(client_for(EmspTokenSender([rfid_token(uid="0000AAAA")])))
    yield
    use_client(None)


def test_a_dry_run_through_the_admin_operation_writes_nothing(hub_with_tokens, emsp_sending_one_new_card):
    before = held()

    result = dispatch("tokens.sync", {"party": "pt/edp", "dry_run": True})

    assert result["dry_run"] is True
    assert result["counts"]["added"] == 1 and result["counts"]["invalidated"] == 2
    assert held() == before


def test_a_failing_page_invalidates_nothing(hub_with_tokens):
    sender = EmspTokenSender(
        [rfid_token(uid="0000AAAA"), rfid_token(uid="0000BBBB"), rfid_token()], fail_on_offset=2
    )
    with pytest.raises(UnableToUseClientApi, match="after 2 tokens .*added 2.*nothing invalidated"):
        sync_party_tokens(REF, client=client_for(sender))
    assert held()[f"PT#EDP#APP_USER#{APP_UID.upper()}"] is True


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        (lambda: None, NotFound),
        (lambda: register_emsp(endpoints=False), MissingEndpoints),
        (lambda: register_emsp(registration=Registration.INVITED), InvalidRequest),
    ],
)
def test_sync_of_a_party_it_cannot_read_is_a_clear_error(aws, setup, error):
    setup()
    with pytest.raises(error):
        sync_party_tokens(REF, client=client_for(EmspTokenSender([])))


@pytest.mark.parametrize("payload", [{}, {"party": "PTEDP"}, {"party": "PT/EDP", "dry_run": "perhaps"}])
def test_bad_payloads_are_invalid_requests(aws, payload):
    with pytest.raises(InvalidRequest):
        dispatch("tokens.sync", payload)
