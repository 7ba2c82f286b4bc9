"""Every log line of an OCPI request carries its ids as keys: request_id and correlation_id (the
middleware), and, once the token is resolved, the calling party — also in the endpoint's worker
thread and in the error handlers (issue 9, style point 12)."""

from __future__ import annotations

import io
import json
import logging

import pytest

from mobie_hub.core.observability import logger


@pytest.fixture
def refusals():
    """The hub's "request refused" log lines, formatted as in Lambda, read from a handler of its own."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)

    def read() -> list[dict]:
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        stream.truncate(0)
        stream.seek(0)
        return [line for line in lines if line.get("message") == "request refused"]

    yield read
    logger.removeHandler(handler)


def test_a_refused_request_of_a_known_party_logs_the_party_and_the_request_ids(client, emsp, refusals):
    # When the EMSP asks for a token the hub does not hold
    response = client.get("/ocpi/2.2.1/tokens/PT/EDP/04A1B2C3D4E5F6", headers=emsp.headers)
    assert response.json()["status_code"] == 2004
    # Then the refusal's log line names the party and the request's ids
    [line] = refusals()
    assert line["party"] == "PT/EDP"
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["correlation_id"] == response.headers["X-Correlation-ID"]


def test_the_party_key_does_not_leak_into_the_next_request(client, emsp, refusals):
    client.get("/ocpi/2.2.1/tokens/PT/EDP/04A1B2C3D4E5F6", headers=emsp.headers)
    assert refusals()[0]["party"] == "PT/EDP"
    # When an unknown token calls next
    response = client.get("/ocpi/2.2.1/locations", headers={"Authorization": "Token bm9wZQ=="})
    assert response.status_code == 401
    # Then its refusal names no party
    [line] = refusals()
    assert "party" not in line


def test_an_invalid_body_is_logged_as_refused_with_the_field_and_the_party(client, emsp, refusals):
    response = client.put("/ocpi/2.2.1/tokens/PT/EDP/04A1B2C3D4E5F6", json={"uid": 5}, headers=emsp.headers)
    assert response.json()["status_code"] == 2001
    [line] = refusals()
    assert line["party"] == "PT/EDP" and line["ocpi_status"] == 2001 and "uid" in line["reason"]
