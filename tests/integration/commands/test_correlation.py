"""The CommandResult POST carries the X-Correlation-ID of the EMSP's command request (issue #17 item 2;
OCPI 2.2.1 transport_and_format "Unique message IDs"), with a fresh X-Request-ID of the hub's own."""

from __future__ import annotations

import uuid

import httpx

from mobie_hub.commands import lifecycle
from mobie_hub.commands import repository as commands
from mobie_hub.commands.delivery import ResultPoster
from mobie_hub.outbound.httpx_adapter import HttpxOcpiClient
from tests.integration.commands.conftest import online
from tests.integration.commands.test_receiver import URL, start_body

CORRELATION, REQUEST = "emsp-corr-42", "emsp-req-7"  # not UUIDs: OCPI only advises them


def test_the_command_result_carries_the_correlation_id_of_the_command_request(
    client, edp, sessions, workflow
):
    online()
    headers = {**edp.headers, "X-Correlation-ID": CORRELATION, "X-Request-ID": REQUEST}
    response = client.post(URL + "START_SESSION", json=start_body(), headers=headers)
    assert response.json()["data"]["result"] == "ACCEPTED"
    assert (response.headers["X-Request-ID"], response.headers["X-Correlation-ID"]) == (REQUEST, CORRELATION)
    ((command_id, _),) = workflow.started
    assert commands.get_command(command_id).correlation_id == CORRELATION

    posted: list[httpx.Request] = []

    def emsp(request: httpx.Request) -> httpx.Response:
        posted.append(request)
        return httpx.Response(200, json={"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"})

    poster = ResultPoster(client=HttpxOcpiClient(transport=httpx.MockTransport(emsp)))
    decision = lifecycle.decide(command_id, timed_out=True, sessions=sessions, deliver=poster)

    assert decision.result == "TIMEOUT"
    (result,) = posted
    assert result.headers["X-Correlation-ID"] == CORRELATION  # not the command id
    assert uuid.UUID(result.headers["X-Request-ID"])  # the hub's own request: a new id


def test_without_a_correlation_id_the_result_carries_the_one_the_hub_generated(client, edp, workflow):
    online()
    response = client.post(URL + "START_SESSION", json=start_body(), headers=edp.headers)
    ((command_id, _),) = workflow.started
    assert commands.get_command(command_id).correlation_id == response.headers["X-Correlation-ID"]
