"""Layer bundling without Docker: what pip is asked for, and what the shared layer contains."""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest

from infra import bundling
from infra.constants import LAMBDA_REQUIREMENTS, ROOT, SHARED_LAYER_SOURCE

pytestmark = pytest.mark.infra


def test_dependency_layer_is_pip_installed_for_lambda_arm64(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(
        bundling.subprocess,
        "run",
        lambda command, **_: calls.append(command) or subprocess.CompletedProcess(command, 0),
    )

    assert bundling.PipInstall(LAMBDA_REQUIREMENTS).try_bundle(str(tmp_path)) is True

    (command,) = calls
    assert command[1:4] == ["-m", "pip", "install"]
    options = " ".join(command[4:])
    assert f"--requirement {LAMBDA_REQUIREMENTS}" in options
    assert f"--target {tmp_path / 'python'}" in options  # Lambda adds /opt/python to sys.path
    for flag in (
        "--platform manylinux2014_aarch64",
        "--only-binary=:all:",
        "--python-version 3.13",
        "--implementation cp",
    ):
        assert flag in options


def test_pip_failure_names_the_offline_alternative(monkeypatch, tmp_path):
    monkeypatch.setattr(
        bundling.subprocess,
        "run",
        lambda command, **_: subprocess.CompletedProcess(command, 1, "", "no network"),
    )
    with pytest.raises(RuntimeError, match="dependency_layer_dir"):
        bundling.PipInstall(LAMBDA_REQUIREMENTS).try_bundle(str(tmp_path))


def test_shared_layer_puts_the_package_under_python(tmp_path):
    assert bundling.CopyPackage(SHARED_LAYER_SOURCE, "mobie_hub").try_bundle(str(tmp_path)) is True

    package = tmp_path / "python" / "mobie_hub"
    assert (package / "__init__.py").is_file()
    assert (package / "core" / "tables.py").is_file()
    assert not list(package.rglob("__pycache__")), "bytecode of the build machine's Python must not ship"


def test_requirements_are_pyprojects_runtime_dependencies_without_boto3():
    # boto3 comes with the Lambda runtime; everything else the functions import must be in the layer
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    runtime = {_name(requirement) for requirement in declared} - {"boto3"}
    layer = {
        _name(line)
        for line in LAMBDA_REQUIREMENTS.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }
    assert layer == runtime


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[;\s]", requirement.strip(), maxsplit=1)[0].lower()
