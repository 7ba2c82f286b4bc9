"""The hub's metrics go to the stack's own namespace (issue #14: two stacks in one account never count
into each other's alarms); MobieHub where none is named (the local hub, tests)."""

from __future__ import annotations

import json

from mobie_hub.core.observability import count


def _namespace(capsys) -> str:
    [line] = capsys.readouterr().out.splitlines()
    return json.loads(line)["_aws"]["CloudWatchMetrics"][0]["Namespace"]


def test_a_metric_goes_to_the_namespace_the_stack_names(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "MobieHubStaging")  # what FunctionFactory sets
    count("PushFailed", module="sessions", party="PT/EDP")
    assert _namespace(capsys) == "MobieHubStaging"


def test_without_one_it_is_mobiehub(monkeypatch, capsys):
    monkeypatch.delenv("POWERTOOLS_METRICS_NAMESPACE", raising=False)
    count("IdTagConflicts")
    assert _namespace(capsys) == "MobieHub"


def test_a_renewal_outcome_is_counted_in_the_stacks_namespace(monkeypatch, capsys):
    from mobie_hub.parties.renewal import RenewalOutcome, count_outcome

    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "MobieHubStaging")
    count_outcome(RenewalOutcome(party="PT/EDP", label="PT/EDP", renewed=False, reason="timeout"))
    assert _namespace(capsys) == "MobieHubStaging"
