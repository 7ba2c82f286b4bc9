"""Locations at national scale: 10,000 stations of 3 EVSEs in the embedded DynamoDB (moto's server,
over HTTP), the full list walked page by page through the OCPI app by following ``Link``.

Prints the load time, time per page and DynamoDB calls per page (goal: one Query a page, no Scan;
the first page adds the keys-only count). The page cache and the full-list window are off, so every
page really reads DynamoDB. Absolute times include moto, far slower than DynamoDB; the call counts
are exact.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter

STATIONS = 10_000
EVSES = 3
PAGE = 100


def main() -> int:
    os.environ.update(
        MOBIE_PUBLIC_URL="https://hub.bench", MOBIE_LIST_CACHE_SECONDS="0", MOBIE_FULL_LIST_INTERVAL_SECONDS="0",
        MOBIE_MAX_PAGE_LIMIT=str(PAGE), POWERTOOLS_LOG_LEVEL="WARNING",
    )
    from mobie_hub.core.settings import get_settings
    from mobie_hub.local.embedded_aws import embedded_aws

    get_settings.cache_clear()
    with embedded_aws():
        _run()
    return 0


def _run() -> None:
    import base64
    import warnings

    from fastapi.testclient import TestClient

    from mobie_hub.core import credentials_tokens
    from mobie_hub.core.dynamodb import counting_calls
    from mobie_hub.locations.inventory_repository import put_locations
    from mobie_hub.locations.models import MobieLocation
    from mobie_hub.ocpi.app import create_app

    warnings.simplefilter("ignore")
    started = time.perf_counter()
    stations = [MobieLocation.model_validate(s) for s in _stations()]
    put_locations(stations)
    loaded = time.perf_counter() - started
    print(f"loaded {STATIONS} stations x {EVSES} EVSEs in {loaded:.1f} s")

    token = credentials_tokens.new_token()
    credentials_tokens.store_token(token, role="EMSP", country_code="PT", party_id="EDP", kind="C")
    headers = {"Authorization": "Token " + base64.b64encode(token.encode()).decode()}
    client = TestClient(create_app("locations"))
    url, times, calls, seen = "/ocpi/2.2.1/locations", [], [], 0
    while url:
        with counting_calls() as counted:
            begun = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append(time.perf_counter() - begun)
        calls.append(Counter(counted))
        seen += len(response.json()["data"])
        link = response.headers.get("Link")
        url = link[1 : link.index(">")].replace("https://hub.bench", "") if link else None
    first, rest = calls[0], calls[1:]
    print(f"walked {len(times)} pages, {seen} stations (X-Total-Count {response.headers['X-Total-Count']})")
    print(f"time per page: median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")
    print(f"DynamoDB calls, first page: {dict(first)} (GetItem = the token; the Queries beyond one count the "
          "keys-only index: moto pages it by whole-item size, DynamoDB fits ~10,000 keys in one 1 MB call)")
    print(f"DynamoDB calls, each later page: {dict(sum(rest, Counter()))} over {len(rest)} pages "
          f"= {sum(sum(c.values()) for c in rest) / max(1, len(rest)):.2f} calls/page; Scans: "
          f"{sum(c['Scan'] for c in calls)}")


def _stations():
    from tests.support.stations import hourly_locations

    return [_with_evses(s) for s in hourly_locations(STATIONS)]


def _with_evses(station: dict) -> dict:
    import copy

    first = station["evses"][0]
    station["evses"] = []
    for n in range(1, EVSES + 1):
        evse = copy.deepcopy(first)
        evse["uid"] = f"{station['id']}-{n:02d}"
        evse["evse_id"] = f"PT*MOB*E{station['id'].replace('-', '*')}*{n:02d}"
        evse["connectors"][0]["id"] = f"{evse['uid']}-01"
        station["evses"].append(evse)
    return station


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    sys.exit(main())
