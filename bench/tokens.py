"""Tokens receiver throughput and DynamoDB calls per request (goal: one idTag Query and one write per
PUT, one Query and one registration read per idTag lookup; issue #12), in-process against moto.

Two paths: the whole HTTP stack (FastAPI TestClient → auth → router → logic → repository) and the
logic + repository alone. Timings include moto's in-process DynamoDB, which is far slower than the
real service's network round trip is fast, so read them as relative figures; the call counts are exact
(a botocore ``before-call`` hook on the hub's own client).
"""

from __future__ import annotations

import os
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable

PUTS = 300
LOOKUPS = 500


def _environment() -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "MOBIE_PUBLIC_URL": "https://hub.bench",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }.items():
        os.environ[name] = value
    for name in [n for n in os.environ if n.startswith("MOBIE_TABLE_") or n == "MOBIE_DYNAMODB_ENDPOINT"]:
        del os.environ[name]


def _token(i: int, **overrides) -> dict:
    body = {
        "country_code": "PT",
        "party_id": "EDP",
        "uid": f"{i:014X}",
        "type": "RFID",
        "contract_id": "PT-EDP-C-1234ABCD-J",
        "issuer": "EDP Comercial",
        "valid": True,
        "whitelist": "ALWAYS",
        "energy_contract": {"supplier_name": "EDPC", "contract_id": f"CT_{i:06d}"},
        "last_updated": "2024-03-01T09:00:00Z",
    }
    body.update(overrides)
    return body


def _report(title: str, runs: int, seconds: float, calls: Counter) -> None:
    per = ", ".join(f"{name} {count / runs:.2f}" for name, count in sorted(calls.items())) or "none"
    rate, ms = runs / seconds, seconds / runs * 1000
    print(f"{title:<38}{runs:>6}{rate:>10.0f}/s{ms:>9.2f} ms   calls per request: {per}")


def _timed(runs: int, action: Callable[[int], object]) -> tuple[float, Counter]:
    from mobie_hub.core.dynamodb import counting_calls

    with counting_calls() as calls:
        start = time.perf_counter()
        for i in range(runs):
            action(i)
        seconds = time.perf_counter() - start
    return seconds, Counter(calls)


def main() -> int:
    _environment()
    warnings.filterwarnings("ignore", module="fastapi.testclient")  # starlette's notice about httpx
    from fastapi.testclient import TestClient
    from moto import mock_aws

    from mobie_hub.audit import runtime as audit
    from mobie_hub.audit.ports import AuditSink
    from mobie_hub.core import credentials_tokens
    from mobie_hub.core.dynamodb import dynamodb_resource, reset_clients
    from mobie_hub.core.schema import ensure_tables
    from mobie_hub.core.settings import get_settings
    from mobie_hub.ocpi.app import create_app
    from mobie_hub.parties import repository as parties
    from mobie_hub.parties.models import ConnectionStatus
    from mobie_hub.parties.party import Party, Registration
    from mobie_hub.tokens import receiver as token_receiver
    from mobie_hub.tokens import repository
    from mobie_hub.tokens.models import Token
    from mobie_hub.tokens.rules import id_tag_for

    class Discarded(AuditSink):  # the audit records leave the Lambda (Firehose), not through DynamoDB
        def write(self, records) -> None:
            pass

    audit.use(Discarded())
    get_settings.cache_clear()
    reset_clients()
    with mock_aws():
        ensure_tables(dynamodb_resource().meta.client)
        secret = credentials_tokens.new_token()
        credentials_tokens.store_token(secret, role="EMSP", country_code="PT", party_id="EDP", kind="C")
        # a token authorises only while its EMSP is registered (issue #12): the lookup reads that too
        registered = Party(country_code="PT", party_id="EDP", registration=Registration.REGISTERED,
                           connection_status=ConnectionStatus.CONNECTED)
        parties.save(registered, expected_revision=None)
        headers = {"Authorization": f"Token {secret}"}
        client = TestClient(create_app("tokens"))

        def http_put(i: int) -> None:
            body = _token(i)
            response = client.put(f"/ocpi/2.2.1/tokens/PT/EDP/{body['uid']}", json=body, headers=headers)
            assert response.status_code in (200, 201), response.text

        def http_patch(i: int) -> None:
            body = {"valid": bool(i % 2), "last_updated": "2024-04-01T09:00:00Z"}
            response = client.patch(f"/ocpi/2.2.1/tokens/PT/EDP/{i:014X}", json=body, headers=headers)
            assert response.status_code == 200, response.text

        app_tokens = [
            Token.model_validate(_token(i, uid=str(uuid.uuid4()), type="APP_USER")) for i in range(PUTS)
        ]

        def direct_put(i: int) -> None:
            token = app_tokens[i]
            token_receiver.put(token, repository.TokenKey.of(token))

        id_tags = [id_tag_for(token) for token in app_tokens]

        def lookup(i: int) -> None:
            assert repository.find_by_id_tag(id_tags[i % len(id_tags)]) is not None

        print(f"{'in-process, moto DynamoDB':<38}{'n':>6}{'rate':>12}{'per req':>12}")
        _report("HTTP PUT (create), whole stack", PUTS, *_timed(PUTS, http_put))
        _report("HTTP PUT (replace), whole stack", PUTS, *_timed(PUTS, http_put))
        _report("HTTP PATCH, whole stack", PUTS, *_timed(PUTS, http_patch))
        _report("logic + repository PUT (APP_USER)", PUTS, *_timed(PUTS, direct_put))
        _report("idTag lookup (find_by_id_tag)", LOOKUPS, *_timed(LOOKUPS, lookup))
        print("goal: PUT = 1 idTag Query + 1 write (a valid token: TransactWriteItems with its idTag claim; "
              "+ the credentials GetItem), lookup = 1 Query + 1 GetItem of the owner's registration (issue #12)")
    get_settings.cache_clear()
    reset_clients()
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
