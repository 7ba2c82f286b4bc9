"""X-Request-ID / X-Correlation-ID (issue #17 item 2): echoed as sent, generated only when absent.

OCPI 2.2.1 transport_and_format "Unique message IDs": "the response to this request SHALL contain the
same ID"; it advises UUIDs and sets no form (its examples use 774321 / 123456). Profile §3 ("UUIDs, must
differ") binds what the hub generates, not a licence to rewrite what a party sent.
"""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mobie_hub.core import context
from mobie_hub.ocpi.middleware import MAX_MESSAGE_ID_LENGTH, OcpiHeadersMiddleware


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()

    @app.get("/ocpi/2.2.1/echo")
    def echo() -> dict:
        # what the hub's own calls made for this request would carry (mobie_hub.outbound)
        return {"correlation_id": context.correlation_id.get()}

    app.add_middleware(OcpiHeadersMiddleware)
    return TestClient(app)


def ids(response) -> tuple[str, str]:
    return response.headers["X-Request-ID"], response.headers["X-Correlation-ID"]


@pytest.mark.parametrize(
    ("request_id", "correlation_id"),
    [
        ("774321", "123456"),  # the spec's own example values
        ("req-1", "req-1"),  # equal: still echoed, both
        ("1A8E2A9E-6F0C-4B3E-9D7B-3E0F4F3C2A11", "{7c1d9f2e-0b4a-4c8e-8f3a-5d6e7f809a12}"),  # not normalised
        ("a" * MAX_MESSAGE_ID_LENGTH, "x y:z/1"),
    ],
)
def test_ids_are_echoed_exactly_as_sent(client, request_id, correlation_id):
    headers = {"X-Request-ID": request_id, "X-Correlation-ID": correlation_id}
    response = client.get("/ocpi/2.2.1/echo", headers=headers)
    assert response.status_code == 200
    assert ids(response) == (request_id, correlation_id)
    assert response.json()["correlation_id"] == correlation_id  # and carried on by the hub's own calls


def test_absent_ids_are_generated_distinct_uuids(client):
    request_id, correlation_id = ids(client.get("/ocpi/2.2.1/echo"))
    assert uuid.UUID(request_id) != uuid.UUID(correlation_id)


@pytest.mark.parametrize("sent", ["X-Request-ID", "X-Correlation-ID"])
def test_only_the_absent_one_is_generated(client, sent):
    response = client.get("/ocpi/2.2.1/echo", headers={sent: "only-this-one"})
    echoed = dict(zip(("X-Request-ID", "X-Correlation-ID"), ids(response), strict=True))
    other = "X-Correlation-ID" if sent == "X-Request-ID" else "X-Request-ID"
    assert echoed[sent] == "only-this-one" and uuid.UUID(echoed[other])


def test_an_empty_id_counts_as_absent(client):
    request_id, _ = ids(client.get("/ocpi/2.2.1/echo", headers={"X-Request-ID": ""}))
    assert uuid.UUID(request_id)


@pytest.mark.parametrize("header", ["X-Request-ID", "X-Correlation-ID"])
@pytest.mark.parametrize("value", ["a" * (MAX_MESSAGE_ID_LENGTH + 1), "caf\xe9", "tab\there"])
def test_an_id_too_long_or_not_printable_ascii_is_2001_in_the_envelope(client, header, value):
    response = client.get("/ocpi/2.2.1/echo", headers={header: value.encode("latin-1")})
    assert response.status_code == 400
    body = response.json()
    assert body["status_code"] == 2001 and header in body["status_message"] and "data" not in body
    # the refused value is not echoed: the answer carries fresh ids
    assert uuid.UUID(response.headers[header])
