"""No secret in any audit record or log line: a whole credentials life (invite, EMSP-initiated
registration, update, hub-initiated renewal) against a fake EMSP, then a grep for every token issued."""

from __future__ import annotations

import base64
import logging

from tests.support.audit import MemoryAuditStore
from tests.support.fake_emsp import FakeEmsp


class Tokens:
    """Every credentials token seen during the test, either side's."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def add(self, *tokens: str | None) -> None:
        self.seen |= {t for t in tokens if t}

    def forms(self) -> set[str]:
        return self.seen | {base64.b64encode(t.encode()).decode() for t in self.seen}


def test_no_token_appears_in_any_audit_record_or_log_line(
    hub, edp: FakeEmsp, trail: MemoryAuditStore, caplog, capfd
):
    caplog.set_level(logging.INFO)  # the production level; DEBUG of boto3 prints stored items
    tokens = Tokens()
    # Given an invited EMSP that registers, then updates its credentials
    token_a = hub.admin("parties.invite", country_code="PT", party_id="EDP").json()["token_a"]
    tokens.add(token_a)
    assert edp.register(hub.versions_url, token_a).json()["status_code"] == 1000
    tokens.add(edp.hub_token, *edp.accepted_tokens)
    assert edp.update(hub.credentials_url()).json()["status_code"] == 1000
    tokens.add(edp.hub_token, *edp.accepted_tokens)
    # And the hub renews its credentials with the EMSP
    assert hub.admin("parties.renew", country_code="PT", party_id="EDP").status_code == 200
    tokens.add(edp.hub_token, *edp.accepted_tokens)
    assert len(tokens.seen) >= 6  # A, and two tokens each way per exchange
    # Then the exchanges are all in the audit trail ...
    credentials = trail.where(module="credentials")
    assert {(r.direction, r.kind, r.method) for r in credentials} >= {
        ("in", "request", "POST"),
        ("out", "response", "POST"),
        ("in", "request", "PUT"),
        ("out", "response", "PUT"),
        ("out", "request", "PUT"),
        ("in", "response", "PUT"),
    }
    assert all("[REDACTED]" in r.body for r in credentials if r.body and '"token"' in r.body)
    # ... and no token, plain or base64, is in any record or any log line
    printed = capfd.readouterr()
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "credentials renewed" in logged  # the hub's own log lines are among what is searched
    for where, text in {
        "audit": trail.text(),
        "stdout": printed.out,
        "stderr": printed.err,
        "logs": logged,
    }.items():
        leaked = [token for token in tokens.forms() if token in text]
        assert leaked == [], f"{where} holds {leaked}"
