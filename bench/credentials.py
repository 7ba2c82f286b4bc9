"""Credentials: what a registration, a renewal and an authenticated request cost, on loopback.

The hub is served by uvicorn in a thread against moto's in-process DynamoDB; fake EMSPs (the test
suite's) answer on loopback, and read the hub's versions back as real EMSPs do. Times include moto,
which is slower than DynamoDB's round trip is fast: read them as relative figures. DynamoDB and
outbound call counts are exact.
"""

from __future__ import annotations

import os
import statistics
import time
import warnings
from collections import Counter
from contextlib import ExitStack

REGISTRATIONS = 20
REQUESTS = 300
CLIENT_CALLS = 2000


def _environment(public_url: str) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "MOBIE_PUBLIC_URL": public_url,
        "POWERTOOLS_LOG_LEVEL": "ERROR",
    }.items():
        os.environ[name] = value
    for name in [n for n in os.environ if n.startswith("MOBIE_TABLE_") or n == "MOBIE_DYNAMODB_ENDPOINT"]:
        del os.environ[name]


def _line(title: str, samples: list[float], calls: Counter | None = None, runs: int = 1) -> None:
    ms = sorted(s * 1000 for s in samples)
    per = ", ".join(f"{k} {v / runs:.1f}" for k, v in sorted((calls or {}).items())) or "-"
    print(
        f"{title:<44} median {statistics.median(ms):7.2f} ms  p95 {ms[int(len(ms) * 0.95) - 1]:7.2f} ms"
        f"   DynamoDB calls each: {per}"
    )


def _outbound_client_overhead() -> None:
    import httpx

    from mobie_hub.core.versions import Endpoint, InterfaceRole
    from mobie_hub.outbound.httpx_adapter import HttpxOcpiClient
    from mobie_hub.parties.party import Party

    ok = httpx.Response(200, json={"status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"})
    client = HttpxOcpiClient(transport=httpx.MockTransport(lambda request: ok))
    party = Party(
        country_code="PT",
        party_id="EDP",
        registration="REGISTERED",
        connection_status="CONNECTED",
        party_token="t",
        endpoints=[
            Endpoint(
                identifier="locations", role=InterfaceRole.RECEIVER, url="https://emsp/ocpi/2.2.1/locations"
            )
        ],
    )
    start = time.perf_counter()
    for _ in range(CLIENT_CALLS):
        client.patch(party, "locations", "PT/MOB/LSB-1/LSB-1-01", {"status": "CHARGING"})
    per_call = (time.perf_counter() - start) / CLIENT_CALLS * 1e6
    print(
        f"{'outbound client overhead (no network)':<44} {per_call:7.0f} µs per call (headers, envelope, log line)"
    )


def main() -> int:
    warnings.filterwarnings("ignore")
    from tests.support.local_hub import free_port

    port = free_port()
    _environment(f"http://127.0.0.1:{port}")
    import httpx
    from moto import mock_aws

    from mobie_hub.cli.serve import create_local_app
    from mobie_hub.core.dynamodb import counting_calls, dynamodb_resource
    from mobie_hub.core.schema import ensure_tables
    from mobie_hub.outbound import get_client, use_client
    from mobie_hub.parties import renewal
    from mobie_hub.parties import repository as parties
    from mobie_hub.parties.client_info import broadcast
    from tests.support.fake_emsp import running_emsp
    from tests.support.servers import serve_in_thread

    os.environ["MOBIE_CLIENT_INFO_PUSH"] = "stream"  # as in AWS: no inline ClientInfo pushes, timed apart
    os.environ["MOBIE_OUTBOUND_ALLOW_LOOPBACK"] = "true"  # the fake EMSPs live on loopback, over http
    os.environ["MOBIE_OUTBOUND_ALLOW_HTTP"] = "true"
    admin_secret = "bench-admin-secret"
    from mobie_hub.core.dynamodb import reset_clients
    from mobie_hub.core.settings import get_settings

    get_settings.cache_clear()  # another benchmark of this run may have built them for its own setup
    reset_clients()
    use_client(None)
    _outbound_client_overhead()
    with mock_aws(), serve_in_thread(create_local_app(admin_secret=admin_secret), port=port) as base_url, ExitStack() as emsps:
        ensure_tables(dynamodb_resource().meta.client)
        registered, register_calls, renew_times, renew_calls = [], Counter(), [], Counter()
        for i in range(REGISTRATIONS):
            emsp = emsps.enter_context(running_emsp(party_id=f"E{i:02d}"))
            with counting_calls() as calls:
                start = time.perf_counter()
                response = httpx.post(
                    f"{base_url}/admin/parties.register",
                    timeout=30,
                    json={"versions_url": emsp.versions_url, "token_a": emsp.issue_token_a()},
                    headers={"X-Mobie-Admin-Secret": admin_secret},
                )
                registered.append(time.perf_counter() - start)
            assert response.status_code == 200, response.text
            register_calls.update(calls)
            with counting_calls() as calls:
                start = time.perf_counter()
                renewal.renew(f"PARTY#EMSP#PT#E{i:02d}", get_client())
                renew_times.append(time.perf_counter() - start)
            renew_calls.update(calls)
            token = emsp.hub_token
        _line("hub-initiated registration (3 calls out)", registered, register_calls, REGISTRATIONS)
        _line("credentials renewal (1 PUT out)", renew_times, renew_calls, REGISTRATIONS)
        changed = parties.get_party(f"PARTY#EMSP#PT#E{REGISTRATIONS - 1:02d}")
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            result = broadcast(changed, get_client())
            samples.append(time.perf_counter() - start)
        _line(f"ClientInfo push to {len(result.sent)} parties (sequential)", samples)
        url = f"{base_url}/ocpi/2.2.1/credentials"
        samples, request_calls = [], Counter()
        with httpx.Client(headers={"Authorization": f"Token {token}"}) as http:
            for _ in range(REQUESTS):
                with counting_calls() as calls:
                    start = time.perf_counter()
                    http.get(url)
                    samples.append(time.perf_counter() - start)
                request_calls.update(calls)
        _line("authenticated GET credentials over HTTP", samples, request_calls, REQUESTS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
