"""Every domain error has exactly one OCPI status and HTTP code; bugs still answer in the envelope."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from mobie_hub.core import errors
from mobie_hub.ocpi.error_mapping import ERROR_CODES, codes_for, install_error_handlers
from mobie_hub.ocpi.middleware import OcpiHeadersMiddleware


class Body(BaseModel):
    name: str
    count: int


def app_raising(exc: Exception) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(OcpiHeadersMiddleware)

    @app.get("/boom")
    def boom():
        raise exc

    @app.post("/echo")
    def echo(body: Body):
        return body

    return TestClient(app, raise_server_exceptions=False)


def test_every_concrete_hub_error_is_mapped():
    concrete = {cls for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.HubError)}
    assert concrete - {errors.HubError} == set(ERROR_CODES)


@pytest.mark.parametrize(
    ("exc", "ocpi", "http"),
    [
        (errors.InvalidRequest("bad", field="uid"), 2001, 400),
        (errors.NotEnoughInformation("last_updated missing"), 2002, 400),
        (errors.UnknownLocation("no such location"), 2003, 404),
        (errors.UnknownToken("no such token"), 2004, 404),
        (errors.Unauthenticated("who?"), 2000, 401),
        (errors.Forbidden("not yours"), 2000, 403),
        (errors.MethodNotAllowed("already registered"), 2000, 405),
        (errors.UnableToUseClientApi("party unreachable"), 3001, 200),
        (errors.UnsupportedVersion("no 2.2"), 3002, 200),
        (errors.MissingEndpoints("no credentials module"), 3003, 200),
        # status_codes.asciidoc: a request that reached the OCPI layer gets no HTTP error
        (errors.UnknownReceiver("OCPI-to-* names PT/GLP"), 4001, 200),
    ],
)
def test_domain_errors_answer_with_their_codes(exc, ocpi, http):
    response = app_raising(exc).get("/boom")

    assert response.status_code == http
    assert response.json()["status_code"] == ocpi
    assert response.json()["status_message"] == exc.message


def test_rate_limited_carries_retry_after():
    response = app_raising(errors.RateLimited("slow down", retry_after=42)).get("/boom")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "42"


def test_invalid_field_is_named_in_the_message():
    assert codes_for(errors.InvalidRequest("too long", field="uid"))[0] == 2001
    assert errors.InvalidRequest("too long", field="uid").message == "uid: too long"


@pytest.mark.parametrize(
    "body", [b"{not json", b'{"name": "x"}', b'{"name": "x", "count": "many"}', b"[]", b""]
)
def test_malformed_or_mistyped_bodies_are_2001(body):
    response = app_raising(ValueError()).post("/echo", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["status_code"] == 2001


def test_a_bug_answers_3000_in_the_envelope_with_request_ids():
    response = app_raising(RuntimeError("bug")).get("/boom")

    assert response.status_code == 500
    assert response.json()["status_code"] == 3000
    assert response.json()["status_message"] == "Internal server error"
    assert "X-Request-ID" in response.headers


def test_wrong_method_is_405_in_the_envelope():
    response = app_raising(ValueError()).delete("/boom")
    assert response.status_code == 405
    assert response.json()["status_code"] == 2000
