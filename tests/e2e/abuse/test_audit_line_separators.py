"""Finding 6 of issue #12: one request with U+2028 in its body made every later ``mobie-hub audit``
fail (records were written with the character raw and read back with ``str.splitlines``)."""

from __future__ import annotations

import json

import httpx
import pytest

from mobie_hub.audit import runtime
from mobie_hub.audit.admin import audit_find
from mobie_hub.audit.store_embedded import BUCKET, PREFIX
from tests.support.parties import issue

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("hub_store")]

SEPARATORS = "a\u2028b\u2029c\u0085d\x1ce\x0bf"


def test_a_body_with_line_separators_leaves_the_audit_trail_readable(hub):
    # Given a registered EMSP
    emsp = issue("C", party_id="LSA")
    # When it sends a body holding every character str.splitlines ends a line at
    response = httpx.put(
        f"{hub.base_url}/ocpi/2.2.1/tokens/PT/LSA/SEP0001",
        headers=emsp.headers,
        json={"uid": "SEP0001", "note": SEPARATORS},
        timeout=10,
    )
    assert response.status_code < 500

    # Then the operator's audit query still answers, with that request's body as it was sent
    result = audit_find({"party": "PT/LSA"})
    [request] = [r for r in result["records"] if r["kind"] == "request"]
    assert json.loads(request["body"])["note"] == SEPARATORS
    assert result["skipped_lines"] == 0
    # And every stored object is one record a line, read by any line reader alike
    s3 = runtime.finder()._s3
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX):
        for item in page.get("Contents", []):
            text = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read().decode()
            assert text.splitlines() == text.split("\n")[:-1]
