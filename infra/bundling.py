"""Local (Docker-free) bundling of the two Lambda layers, as jsii ``ILocalBundling`` implementations.

CDK calls ``try_bundle`` with an empty output directory and zips whatever it leaves there. Returning
True means "done locally", so CDK never falls back to Docker; a failure raises with the cause.

Tests skip bundling altogether (context ``aws:cdk:bundling-stacks = []``): nothing here runs then.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jsii
from aws_cdk import DockerImage, ILocalBundling

from infra.constants import PIP_PLATFORM, PYTHON_VERSION

_LAYER_SITE = "python"  # Lambda puts /opt/python on sys.path


@jsii.implements(ILocalBundling)
class PipInstall:
    """``pip install -r <requirements> --target <out>/python`` for the Lambda platform, from wheels only.

    pip picks the wheels of the target (``--platform``/``--python-version``/``--implementation``), not
    of the machine running the synth, so an x86 laptop builds an arm64 layer without Docker.
    """

    def __init__(self, requirements: Path, *, precompile_with: str | None = None) -> None:
        self.requirements = requirements
        self.precompile_with = precompile_with

    def try_bundle(self, output_dir: str, *, image: DockerImage | None = None) -> bool:
        target = Path(output_dir) / _LAYER_SITE
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--requirement",
            str(self.requirements),
            "--target",
            str(target),
            "--platform",
            PIP_PLATFORM,
            "--only-binary=:all:",
            "--python-version",
            PYTHON_VERSION,
            "--implementation",
            "cp",
            "--no-compile",  # pip would compile for *this* interpreter; see precompile()
            "--quiet",
            "--disable-pip-version-check",
            "--no-warn-script-location",
        ]
        result = subprocess.run(command, check=False, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(
                f"dependency layer: pip install failed (exit {result.returncode}); without network, "
                f"pass -c dependency_layer_dir=<dir with python/> (docs/deploy.md)\n{result.stderr}"
            )
        shutil.rmtree(target / "bin", ignore_errors=True)  # console scripts: nothing runs them in Lambda
        precompile(target, self.precompile_with)
        return True


@jsii.implements(ILocalBundling)
class CopyPackage:
    """Copy one package folder to ``<out>/python/<package>`` (the shared layer: ``mobie_hub``)."""

    def __init__(self, source: Path, package: str, *, precompile_with: str | None = None) -> None:
        self.source = source
        self.package = package
        self.precompile_with = precompile_with

    def try_bundle(self, output_dir: str, *, image: DockerImage | None = None) -> bool:
        target = Path(output_dir) / _LAYER_SITE
        shutil.copytree(
            self.source / self.package,
            target / self.package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        precompile(target, self.precompile_with)
        return True


def find_precompiler() -> str | None:
    """A local interpreter of the Lambda's Python version, if there is one (``python3.13`` on PATH).

    Lambda cannot write ``__pycache__`` under /opt, so without shipped bytecode every cold start
    compiles FastAPI, pydantic & co. from source. Bytecode is only valid for the same minor version.
    """
    candidate = shutil.which(f"python{PYTHON_VERSION}")
    if candidate is None:
        return None
    probe = subprocess.run(
        [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        check=False,
        capture_output=True,
        text=True,
    )
    return candidate if probe.returncode == 0 and probe.stdout.strip() == PYTHON_VERSION else None


def precompile(target: Path, interpreter: str | None) -> None:
    if interpreter is None:
        return
    # unchecked-hash: the asset zip resets file times, which would invalidate timestamp-based .pyc.
    result = subprocess.run(
        [
            interpreter,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            str(target),
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:  # a stray file that does not compile keeps its source only; say so
        print(f"precompile {target}: some files were not compiled\n{result.stdout}", file=sys.stderr)
