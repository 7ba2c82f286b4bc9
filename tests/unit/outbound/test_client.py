"""The outbound OCPI client over httpx.MockTransport: headers, envelope parsing, failures, pagination."""

from __future__ import annotations

import base64
import json
import uuid

import httpx
import pytest

from mobie_hub.core.errors import MissingEndpoints, UnableToUseClientApi
from mobie_hub.core.models import CdrToken
from mobie_hub.core.versions import Endpoint, InterfaceRole
from mobie_hub.outbound import OutboundCallFailed, correlation_scope
from mobie_hub.outbound.httpx_adapter import HttpxOcpiClient
from mobie_hub.parties.party import Party

TOKEN = "b7c1d6a2-58e4-4bb0-9d55-1f2e3a4b5c6d"


def party(**changes) -> Party:
    fields = {
        "country_code": "PT",
        "party_id": "EDP",
        "registration": "REGISTERED",
        "connection_status": "CONNECTED",
        "version": "2.2.1",
        "party_token": TOKEN,
        "endpoints": [
            Endpoint(
                identifier="locations",
                role=InterfaceRole.RECEIVER,
                url="https://emsp.test/ocpi/2.2.1/locations",
            ),
            Endpoint(
                identifier="tokens", role=InterfaceRole.SENDER, url="https://emsp.test/ocpi/2.2.1/tokens"
            ),
            Endpoint(
                identifier="credentials",
                role=InterfaceRole.SENDER,
                url="https://emsp.test/ocpi/2.2.1/credentials",
            ),
        ],
    }
    return Party(**(fields | changes))


def ok(data=None, **headers) -> httpx.Response:
    return httpx.Response(
        200, json={"status_code": 1000, "data": data, "timestamp": "2026-01-01T00:00:00Z"}, headers=headers
    )


class Recorder:
    """A MockTransport handler that records requests and answers from a script."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class Observer:
    def __init__(self):
        self.seen: list[tuple[str, bool]] = []

    def outcome(self, party, *, reachable):
        self.seen.append((party.label, reachable))


def client_for(handler, observer=None) -> HttpxOcpiClient:
    return HttpxOcpiClient(transport=httpx.MockTransport(handler), observer=observer)


def test_a_push_carries_the_ocpi_headers():
    # Given a registered EMSP and a client
    handler = Recorder(ok())
    # When the hub PUTs a location
    reply = client_for(handler).put(party(), "locations", "PT/MOB/LSB-1", {"id": "LSB-1"})
    # Then the request went to the endpoint + path with every header the profile asks for
    request = handler.requests[0]
    assert request.method == "PUT"
    assert str(request.url) == "https://emsp.test/ocpi/2.2.1/locations/PT/MOB/LSB-1"
    assert request.headers["authorization"] == "Token " + base64.b64encode(TOKEN.encode()).decode()
    uuid.UUID(request.headers["x-request-id"])
    uuid.UUID(request.headers["x-correlation-id"])
    assert request.headers["x-request-id"] != request.headers["x-correlation-id"]
    assert (request.headers["ocpi-from-country-code"], request.headers["ocpi-from-party-id"]) == ("PT", "MOB")
    assert (request.headers["ocpi-to-country-code"], request.headers["ocpi-to-party-id"]) == ("PT", "EDP")
    assert json.loads(request.content) == {"id": "LSB-1"}
    assert reply.status_code == 1000


def test_calls_in_one_correlation_scope_share_the_correlation_id_and_not_the_request_id():
    handler = Recorder(ok(), ok(), ok())
    client = client_for(handler)
    with correlation_scope() as correlation:
        client.get(party(), "tokens")
        client.get(party(), "tokens")
    client.get(party(), "tokens")
    first, second, alone = handler.requests
    assert first.headers["x-correlation-id"] == second.headers["x-correlation-id"] == correlation
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert alone.headers["x-correlation-id"] != correlation


def test_models_are_sent_in_the_shape_of_the_partys_version():
    token = CdrToken(
        uid="123", type="RFID", contract_id="PT-EDP-C-1234ABCD-J", country_code="PT", party_id="EDP"
    )
    handler = Recorder(ok(), ok())
    client_for(handler).put(party(version="2.2"), "locations", "x", token)
    client_for(handler).put(party(version="2.2.1"), "locations", "x", token)
    in_2_2, in_2_2_1 = (json.loads(r.content) for r in handler.requests)
    assert "country_code" not in in_2_2  # CdrToken.country_code is a 2.2.1 addition
    assert in_2_2_1["country_code"] == "PT"


@pytest.mark.parametrize(
    ("answer", "reachable", "words"),
    [
        (httpx.ConnectError("connection refused"), False, "unreachable"),
        (httpx.ReadTimeout("slow"), False, "timeout"),
        (httpx.Response(200, text="<html>hello</html>"), False, "not an OCPI response"),
        (httpx.Response(200, json=[1, 2]), False, "not an OCPI response"),
        (httpx.Response(200, json={"status_code": True}), False, "not an OCPI response"),
        (httpx.Response(502, text="Bad gateway"), False, "HTTP 502"),
        (httpx.Response(500, json={"status_code": 3000, "status_message": "boom"}), False, "boom"),
        (httpx.Response(200, json={"status_code": 2001, "status_message": "Invalid id"}), True, "2001"),
        (httpx.Response(404, json={"status_code": 2000, "status_message": "Unknown"}), True, "HTTP 404"),
    ],
)
def test_every_failure_is_unable_to_use_client_api_with_a_clear_message(answer, reachable, words):
    observer = Observer()
    with pytest.raises(OutboundCallFailed) as caught:
        client_for(Recorder(answer), observer).put(party(), "locations", "PT/MOB/1", {})
    assert isinstance(caught.value, UnableToUseClientApi)
    assert words in caught.value.message
    assert "https://emsp.test/ocpi/2.2.1/locations/PT/MOB/1" in caught.value.message
    assert caught.value.reachable is reachable
    assert observer.seen == [("EMSP PT/EDP", reachable)]


def test_success_is_observed_as_reachable():
    observer = Observer()
    client_for(Recorder(ok()), observer).get(party(), "tokens")
    assert observer.seen == [("EMSP PT/EDP", True)]


def test_a_party_without_the_module_gets_missing_endpoints_and_no_call():
    handler = Recorder()
    with pytest.raises(MissingEndpoints, match="no cdrs RECEIVER endpoint"):
        client_for(handler).post(party(), "cdrs", "", {})
    with pytest.raises(MissingEndpoints):
        client_for(handler).get(party(), "locations")  # locations is a RECEIVER endpoint only
    assert handler.requests == []


def test_a_party_without_a_token_is_refused_before_any_call():
    handler = Recorder()
    with pytest.raises(OutboundCallFailed, match="no credentials token"):
        client_for(handler).get(party(party_token=None), "tokens")
    assert handler.requests == []


def test_get_all_pages_follows_link_to_the_end():
    handler = Recorder(
        ok(
            [1, 2],
            Link='<https://emsp.test/ocpi/2.2.1/tokens?offset=2&limit=2>; rel="next"',
            **{"X-Total-Count": "5"},
        ),
        ok([3, 4], Link='<https://emsp.test/ocpi/2.2.1/tokens?offset=4&limit=2>; rel="next"'),
        ok([5]),
    )
    items = list(client_for(handler).get_all_pages(party(), "tokens", {"limit": 2}))
    assert items == [1, 2, 3, 4, 5]
    assert [str(r.url) for r in handler.requests] == [
        "https://emsp.test/ocpi/2.2.1/tokens?limit=2",
        "https://emsp.test/ocpi/2.2.1/tokens?offset=2&limit=2",
        "https://emsp.test/ocpi/2.2.1/tokens?offset=4&limit=2",
    ]


def test_get_all_pages_refuses_a_page_that_is_not_a_list():
    with pytest.raises(OutboundCallFailed, match="not a list"):
        list(client_for(Recorder(ok({"uid": "x"}))).get_all_pages(party(), "tokens"))


def test_reply_exposes_total_count_and_next_url():
    reply = client_for(Recorder(ok([], Link='<https://e/next>; rel="next"', **{"X-Total-Count": "7"}))).get(
        party(), "tokens"
    )
    assert reply.total_count == 7
    assert reply.next_url == "https://e/next"


def test_redirects_are_not_followed_so_the_token_never_leaves_for_another_host():
    handler = Recorder(httpx.Response(302, headers={"Location": "https://elsewhere.test/"}))
    with pytest.raises(OutboundCallFailed, match="HTTP 302"):
        client_for(handler).get(party(), "tokens")
    assert len(handler.requests) == 1


def test_one_structured_log_line_per_call(caplog):
    client = client_for(Recorder(ok(), httpx.ConnectError("refused")))
    client.get(party(), "tokens")
    with pytest.raises(OutboundCallFailed):
        client.get(party(), "tokens")
    calls = [r.__dict__ for r in caplog.records if r.getMessage() in {"ocpi call", "ocpi call failed"}]
    assert [(c["outcome"], c["method"], c["party"]) for c in calls] == [
        ("ok", "GET", "EMSP PT/EDP"),
        ("failed", "GET", "EMSP PT/EDP"),
    ]
    assert all("ms" in c and c["url"] == "https://emsp.test/ocpi/2.2.1/tokens" for c in calls)
    assert calls[0]["http_status"] == 200 and calls[0]["ocpi_status"] == 1000
    assert "unreachable" in calls[1]["reason"]


def strict_party_handler(expected: dict[str, str]) -> Recorder:
    """A party that serves exactly the URLs it advertised, as a real framework does: any other
    spelling (a slash dropped or added) is answered 307 to the advertised one, as extrawest-ocpi did."""

    class Strict(Recorder):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            if str(request.url) in expected.values():
                return ok()
            return httpx.Response(307, headers={"Location": str(request.url).rstrip("/") + "/"})

    return Strict()


@pytest.mark.parametrize("slash", ["/", ""], ids=["advertised-with-trailing-slash", "without"])
def test_every_endpoint_url_is_used_exactly_as_the_party_gives_it(slash):
    # Given an EMSP whose endpoints end with a slash (extrawest-ocpi) or without one
    base = "https://emsp.test/ocpi/emsp/2.2.1"
    emsp = party(
        endpoints=[
            Endpoint(identifier=module, role=InterfaceRole.RECEIVER, url=f"{base}/{module}{slash}")
            for module in ("cdrs", "sessions", "locations")
        ]
    )
    expected = {
        "cdrs": f"{base}/cdrs{slash}",  # no path: the URL exactly as given
        "sessions": f"{base}/sessions/PT/MOB/S1",  # segments joined with exactly one slash
        "locations": f"{base}/locations/PT/MOB/LSB-1",
    }
    handler = strict_party_handler(expected)
    client = client_for(handler)
    # When the hub POSTs a CDR and PUTs a session and a location
    client.post(emsp, "cdrs", "", {"id": "C1"})
    client.put(emsp, "sessions", "PT/MOB/S1", {"id": "S1"})
    client.put(emsp, "locations", "/PT/MOB/LSB-1", {"id": "LSB-1"})
    # Then each went to the URL the party serves (no 307), the CDR's to the advertised URL itself
    assert [str(r.url) for r in handler.requests] == list(expected.values())


def test_only_the_join_is_the_hubs_the_rest_of_the_partys_url_is_kept_as_given():
    # Given an endpoint URL with a doubled slash inside (the party's business): the hub changes only the join
    emsp = party(endpoints=[Endpoint(identifier="locations", role=InterfaceRole.RECEIVER,
                                     url="https://emsp.test/ocpi//2.2.1/locations/")])
    handler = Recorder(ok())
    client_for(handler).put(emsp, "locations", "PT/MOB/L1/", {"id": "L1"})
    assert str(handler.requests[0].url) == "https://emsp.test/ocpi//2.2.1/locations/PT/MOB/L1"
