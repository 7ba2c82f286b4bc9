"""Tokens over real sockets: an EMSP registers with the local hub (a real ``mobie-hub serve`` process),
pushes tokens over HTTP, and the operator pulls its list with ``mobie-hub tokens sync``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi import Request

from tests.support.fake_emsp import FakeEmsp, envelope, token_of
from tests.support.local_hub import RunningHub, local_hub
from tests.support.servers import serve_in_thread
from tests.support.tokens import APP_UID, app_token, rfid_token

pytestmark = pytest.mark.e2e


@contextmanager
def emsp_with_token_list(tokens: list[dict], page_size: int = 1) -> Iterator[FakeEmsp]:
    """The loopback fake EMSP, plus its tokens SENDER interface: ``tokens`` in pages, with Link."""
    emsp = FakeEmsp()
    app = emsp.app()

    @app.get("/ocpi/emsp/{version}/tokens")
    def token_list(version: str, request: Request, offset: int = 0):
        if token_of(request.headers.get("authorization")) not in emsp.accepted_tokens:  # the EMSP's token C
            return envelope(status_code=2000, message="Unauthorized", http=401)
        page = tokens[offset : offset + page_size]
        response = envelope(page)
        response.headers["X-Total-Count"] = str(len(tokens))
        if offset + page_size < len(tokens):
            response.headers["Link"] = (
                f'<{emsp.base_url}/ocpi/emsp/{version}/tokens?offset={offset + page_size}>; rel="next"'
            )
        return response

    with serve_in_thread(app) as base_url:
        emsp.base_url = base_url
        yield emsp


def registered(hub: RunningHub, emsp: FakeEmsp) -> None:
    invite = hub.cli("parties", "invite", "--country-code", "PT", "--party-id", "EDP", "--json")
    assert invite.returncode == 0, invite.stderr
    response = emsp.register(f"{hub.base_url}/ocpi/versions", json.loads(invite.stdout)["token_a"])
    assert response.json()["status_code"] == 1000, response.text


@pytest.fixture(scope="module")
def hub() -> Iterator[RunningHub]:
    with local_hub("--no-demo", "--allow-loopback-parties") as running:
        yield running


def test_an_emsp_pushes_tokens_and_the_operator_syncs_its_list(hub: RunningHub):
    listed = [app_token(), rfid_token(uid="0000AAAA"), rfid_token(uid="0000BBBB", whitelist="NEVER")]
    with emsp_with_token_list(listed) as emsp:
        registered(hub, emsp)
        tokens_url = f"{hub.base_url}/ocpi/2.2.1/tokens/PT/EDP"

        # The EMSP pushes an RFID card; another party's URL is refused
        put = httpx.put(f"{tokens_url}/04A1B2C3D4E5F6", json=rfid_token(), headers=emsp.headers())
        other = httpx.put(
            f"{hub.base_url}/ocpi/2.2.1/tokens/PT/GLP/04A1B2C3D4E5F6",
            json=rfid_token(),
            headers=emsp.headers(),
        )
        assert (put.status_code, put.json()["status_code"]) == (201, 1000)
        assert (other.status_code, other.json()["status_code"]) == (403, 2000)

        # The operator pulls the EMSP's list (three pages) with the CLI
        result = hub.cli("tokens", "sync", "--party", "PT/EDP", "--json")
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["listed"] == 3
        assert report["ids"]["added"] == [f"APP_USER/{APP_UID}", "RFID/0000AAAA"]
        assert report["ids"]["rejected"] == ["RFID/0000BBBB"]
        assert report["ids"]["invalidated"] == ["RFID/04A1B2C3D4E5F6"]

        # The EMSP sees the hub's copy through GET
        card = httpx.get(f"{tokens_url}/04A1B2C3D4E5F6", headers=emsp.headers()).json()["data"]
        app = httpx.get(f"{tokens_url}/{APP_UID}?type=APP_USER", headers=emsp.headers()).json()["data"]
        assert card["valid"] is False
        assert app == app_token()


def test_sync_of_an_unknown_party_is_a_clear_error(hub: RunningHub):
    result = hub.cli("tokens", "sync", "--party", "PT/ZZZ", "--json")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "PT/ZZZ" in result.stderr
