"""The operator's path: the real CDK CLI synthesizes the app offline, with no AWS account.

The dependency layer comes from a pre-built folder (`-c dependency_layer_dir`), because the CLI always
bundles and pip would need the network; the shared layer is bundled for real, locally, without Docker.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from infra.constants import ROOT, STACK_NAME

from .conftest import DOMAIN

pytestmark = pytest.mark.infra

CDK = ROOT / "node_modules" / ".bin" / "cdk"
_ENV = {
    **os.environ,
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


def test_cdk_synth_works_offline(tmp_path):
    prebuilt = tmp_path / "dependencies"
    (prebuilt / "python").mkdir(parents=True)
    (prebuilt / "python" / "placeholder.py").write_text("")
    outdir = tmp_path / "cdk.out"

    result = _cdk_synth(outdir, *(f"{k}={v}" for k, v in DOMAIN.items()), f"dependency_layer_dir={prebuilt}")

    assert result.returncode == 0, result.stderr
    template = json.loads((outdir / f"{STACK_NAME}.template.json").read_text())
    assert any(r["Type"] == "AWS::ApiGateway::DomainName" for r in template["Resources"].values())
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert manifest["artifacts"][STACK_NAME]["environment"].endswith("/eu-west-1")  # cdk.json's region
    shared = [
        path for path in outdir.glob("asset.*") if (path / "python" / "mobie_hub" / "__init__.py").is_file()
    ]
    assert len(shared) == 1, "the shared layer was bundled locally, mobie_hub under python/"


def test_cdk_synth_without_domain_explains_what_to_pass(tmp_path):
    result = _cdk_synth(tmp_path / "cdk.out")

    assert result.returncode != 0
    assert "-c dev=true" in result.stderr and "truststore_uri" in result.stderr
