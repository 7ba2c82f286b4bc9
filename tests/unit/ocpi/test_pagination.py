"""Pagination helper: parameters, date boundaries, Link/X-Total-Count/X-Limit, bad input → 2001."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient

from mobie_hub.ocpi.error_mapping import install_error_handlers
from mobie_hub.ocpi.middleware import OcpiHeadersMiddleware
from mobie_hub.ocpi.pagination import Page, PageRequest, page_request, paginated_response

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
ITEMS = [{"id": str(n), "last_updated": START + timedelta(hours=n)} for n in range(25)]


def list_app() -> FastAPI:
    """A list endpoint over 25 objects, one an hour from START, using the real helper."""
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(OcpiHeadersMiddleware)

    @app.get("/ocpi/2.2/things")
    def things(request: Request, page: PageRequest = Depends(page_request)):
        matching = [i for i in ITEMS if page.matches(i["last_updated"])]
        return paginated_response(request, page, Page(matching[page.offset : page.offset + page.limit], len(matching)))

    return app


@pytest.fixture
def client(monkeypatch) -> TestClient:
    monkeypatch.setenv("MOBIE_MAX_PAGE_LIMIT", "10")
    return TestClient(list_app())


def follow(client: TestClient, url: str) -> list[dict]:
    """Walk the Link headers to the end, as an EMSP would; returns every page's data."""
    pages = []
    while url:
        response = client.get(url.replace("https://hub.test", ""))
        pages.append(response)
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    return pages


def test_walking_links_returns_every_object_once_and_no_link_on_the_last_page(client):
    pages = follow(client, "/ocpi/2.2/things")

    ids = [item["id"] for page in pages for item in page.json()["data"]]
    assert ids == [str(n) for n in range(25)]
    assert [len(p.json()["data"]) for p in pages] == [10, 10, 5]
    assert all(p.headers["X-Total-Count"] == "25" and p.headers["X-Limit"] == "10" for p in pages)
    assert "Link" not in pages[-1].headers


def test_link_is_built_from_the_public_url_and_keeps_filters(client):
    response = client.get("/ocpi/2.2/things?date_from=2026-01-01T02:00:00Z&limit=5", headers={"Host": "internal:9"})

    assert response.headers["Link"] == (
        '<https://hub.test/ocpi/2.2/things?offset=5&limit=5&date_from=2026-01-01T02%3A00%3A00Z>; rel="next"'
    )


def test_date_from_is_inclusive_and_date_to_exclusive(client):
    response = client.get("/ocpi/2.2/things?date_from=2026-01-01T03:00:00Z&date_to=2026-01-01T05:00:00Z")
    assert [i["id"] for i in response.json()["data"]] == ["3", "4"]


def test_limit_above_the_maximum_is_capped(client):
    response = client.get("/ocpi/2.2/things?limit=500")
    assert len(response.json()["data"]) == 10


def test_filters_walk_to_the_end_with_the_filter_kept(client):
    pages = follow(client, "/ocpi/2.2/things?date_from=2026-01-01T04:00:00Z&limit=7")
    ids = [item["id"] for page in pages for item in page.json()["data"]]
    assert ids == [str(n) for n in range(4, 25)]


@pytest.mark.parametrize(
    "query",
    ["offset=-1", "offset=abc", "limit=0", "limit=1.5", "date_from=yesterday", "date_to=2026-13-01T00:00:00Z",
     "date_from=2026-01-02T00:00:00Z&date_to=2026-01-01T00:00:00Z"],
)
def test_bad_parameters_are_2001_in_the_envelope(client, query):
    response = client.get(f"/ocpi/2.2/things?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["status_code"] == 2001
    assert body["status_message"]
    assert "X-Request-ID" in response.headers


def test_an_empty_result_has_no_link(client):
    response = client.get("/ocpi/2.2/things?date_from=2030-01-01T00:00:00Z")
    assert response.json()["data"] == []
    assert response.headers["X-Total-Count"] == "0"
    assert "Link" not in response.headers
