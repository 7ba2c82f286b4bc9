"""The operator's path: the real CDK CLI synthesizes the app offline, with no AWS account.

The dependency layer comes from a pre-built folder (`-c dependency_layer_dir`), because the CLI always
bundles and pip would need the network; the shared layer is bundled for real, locally, without Docker.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from infra.constants import PLACEHOLDER_DOMAIN, ROOT, STACK_NAME

pytestmark = pytest.mark.infra

CDK = ROOT / "node_modules" / ".bin" / "cdk"
_ENV = {
    **{key: value for key, value in os.environ.items() if not key.startswith("MOBIE_DEPLOY_")},
    "CDK_DISABLE_CLI_TELEMETRY": "1",
    "CDK_DISABLE_VERSION_CHECK": "1",
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
}


def _cdk_synth(outdir, *context: str) -> subprocess.CompletedProcess:
    if not CDK.exists():
        pytest.skip("the CDK CLI is not installed: run `npm install` (`make test` does)")
    arguments = [str(CDK), "synth", "--quiet", "--output", str(outdir)]
    for item in context:
        arguments += ["--context", item]
    return subprocess.run(
        arguments, check=False, cwd=ROOT, env=_ENV, capture_output=True, text=True, timeout=240
    )


def test_cdk_synth_works_offline_without_any_deployment_value(tmp_path):
    # `make synth` from a fresh clone: no domain given, so the production shape around the placeholder.
    prebuilt = tmp_path / "dependencies"
    (prebuilt / "python").mkdir(parents=True)
    (prebuilt / "python" / "placeholder.py").write_text("")
    outdir = tmp_path / "cdk.out"

    result = _cdk_synth(outdir, f"dependency_layer_dir={prebuilt}")

    assert result.returncode == 0, result.stderr
    template = json.loads((outdir / f"{STACK_NAME}.template.json").read_text())
    [domain] = [r for r in template["Resources"].values() if r["Type"] == "AWS::ApiGateway::DomainName"]
    assert domain["Properties"]["DomainName"] == PLACEHOLDER_DOMAIN
    assert template["Outputs"]["PlaceholderConfig"]["Value"].startswith("NOT DEPLOYABLE")
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert manifest["artifacts"][STACK_NAME]["environment"].endswith("/eu-west-1")  # cdk.json's region
    shared = [
        path for path in outdir.glob("asset.*") if (path / "python" / "mobie_hub" / "__init__.py").is_file()
    ]
    assert len(shared) == 1, "the shared layer was bundled locally, mobie_hub under python/"


def test_cdk_deploy_values_are_checked_before_the_cli_runs(tmp_path):
    # `make deploy`'s first step: every missing value named in one message, exit 1, no synth.
    empty = tmp_path / "deploy.json"
    empty.write_text("{}")
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "infra.app", "--check-deploy"],
        check=False, cwd=ROOT, env={**_ENV, "MOBIE_DEPLOY_CONFIG": str(empty)}, capture_output=True,
        text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "missing domain_name (MOBIE_DEPLOY_DOMAIN_NAME), certificate_arn" in result.stderr
    assert "truststore_uri (MOBIE_DEPLOY_TRUSTSTORE_URI)" in result.stderr


def test_cdk_args_context_values_count_for_the_deploy_check(tmp_path):
    # `make deploy CDK_ARGS="-c domain_name=…"` passes CDK_ARGS to the check as to `cdk deploy`: values
    # given there are not reported missing, and the other CLI options are left to the CLI.
    empty = tmp_path / "deploy.json"
    empty.write_text("{}")

    def check(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(ROOT / ".venv" / "bin" / "python"), "-m", "infra.app", "--check-deploy", *arguments],
            check=False, cwd=ROOT, env={**_ENV, "MOBIE_DEPLOY_CONFIG": str(empty)}, capture_output=True,
            text=True, timeout=120,
        )

    partial = check("--require-approval", "never", "-c", "domain_name=ocpi.mobie.example")
    complete = check(
        "-c", "domain_name=ocpi.mobie.example",
        "--context", "certificate_arn=arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c",
        "--context=truststore_uri=s3://mobie-truststore/ocpi/emsp-ca.pem",
    )

    assert partial.returncode == 1
    assert "missing certificate_arn (MOBIE_DEPLOY_CERTIFICATE_ARN), truststore_uri" in partial.stderr
    assert "domain_name" not in partial.stderr.split("Set them")[0]
    assert complete.returncode == 0, complete.stderr
    assert "deploying stack MobieHub to eu-west-1" in complete.stderr


def test_make_deploy_gives_the_check_the_cdk_args_it_gives_the_cli():
    dry_run = subprocess.run(
        ["make", "-n", "deploy", "CDK_ARGS=-c domain_name=ocpi.mobie.example"],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert dry_run.returncode == 0, dry_run.stderr
    assert "infra.app --check-deploy -c domain_name=ocpi.mobie.example" in dry_run.stdout
    assert "deploy --context deploy=true -c domain_name=ocpi.mobie.example" in dry_run.stdout
