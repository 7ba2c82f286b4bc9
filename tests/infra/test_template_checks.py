"""The synthesized template passes cfn-lint, and cdk-nag really runs in the app the tests build."""

from __future__ import annotations

import json

import pytest
from aws_cdk import aws_iam as iam
from cfnlint.api import lint
from cfnlint.config import ManualArgs

from infra.app import build_app

from .conftest import ACCOUNT, NO_BUNDLING, cdk_json_context

pytestmark = pytest.mark.infra

# W3005 (redundant DependsOn): CDK adds explicit dependencies next to GetAtt ones; harmless.
_IGNORED = ["W3005"]


@pytest.mark.parametrize("shape", ["prod", "dev"])
def test_cfn_lint_finds_no_errors(shape, request):
    template = request.getfixturevalue(shape).template.to_json()

    matches = lint(json.dumps(template), config=ManualArgs(regions=["eu-west-1"], ignore_checks=_IGNORED))

    errors = [
        f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})"
        for m in matches
        if m.rule.id.startswith("E")
    ]
    assert errors == []


def test_an_unacknowledged_nag_finding_fails_synth(tmp_path):
    # Given the app the tests use, When a construct breaks an AwsSolutions rule, Then synth fails
    app, stack = build_app(
        {**cdk_json_context(), **NO_BUNDLING, "account": ACCOUNT, "dev": "true"}, outdir=str(tmp_path)
    )
    iam.Role(
        stack,
        "Offender",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AdministratorAccess")],
    )
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {v["ruleName"] for r in report["pluginReports"] for v in r["violations"]}
    assert rules == {"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AdministratorAccess]"}
