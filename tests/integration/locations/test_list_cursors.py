"""A list cursor comes back from the client: one that cannot be a position this list wrote for this page
(another key shape, a sort key outside the page's dates) is ignored, the page found by offset; it must
never reach DynamoDB as an ExclusiveStartKey it refuses (a ValidationException: a 500)."""

from __future__ import annotations

import base64
import json

import pytest

DATED = "/ocpi/2.2.1/locations?date_from=2026-01-01T05:00:00Z&date_to=2026-01-01T20:00:00Z&limit=4&offset=4"


def cursor(key: dict, total: int = 15, offset: int = 4) -> str:
    raw = json.dumps({"k": key, "t": total, "o": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "key",
    [
        {"gsi1pk": "PUBLISHED"},  # no table key, no sort key
        {
            "pk": "LOC#LSB-00001", "sk": "LOC",
            "gsi1pk": "PUBLISHED", "gsi1sk": "2026-01-01T01:00:00.000Z#PT#MOB#LSB-00001",
        },
        {
            "pk": "LOC#X", "sk": "LOC",
            "gsi1pk": "PUBLISHED", "gsi1sk": "2026-01-01T23:00:00.000Z#PT", "extra": "x",
        },
    ],
    ids=["shape", "before-date_from", "extra-attribute"],
)
def test_a_cursor_that_cannot_be_ours_gives_the_page_by_offset(client, emsp, stations, key):
    expected = client.get(DATED, headers=emsp.headers).json()["data"]

    response = client.get(f"{DATED}&cursor={cursor(key)}", headers=emsp.headers)

    assert response.status_code == 200, response.text
    assert [loc["id"] for loc in response.json()["data"]] == [loc["id"] for loc in expected]
    assert [loc["id"] for loc in expected] == [f"LSB-{n:05d}" for n in range(9, 13)]
