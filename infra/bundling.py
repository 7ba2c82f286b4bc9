"""Local (Docker-free) bundling of the two Lambda layers, as jsii ``ILocalBundling`` implementations.

CDK calls ``try_bundle`` with an empty output directory and zips whatever it leaves there. Returning
True means "done locally", so CDK never falls back to Docker; a failure raises with the cause. Every
bundle ends compiled for the runtime's Python (``infra.layer_build.compile_tree``) or fails: a layer
is never shipped without its bytecode.

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
from infra.layer_build import (
    LAYER_SITE,
    compile_tree,
    copy_shared_package,
    find_interpreter,
    prune_dependencies,
)


@jsii.implements(ILocalBundling)
class PipInstall:
    """``pip install --no-deps -r <lock> --target <out>/python`` for the Lambda platform, wheels only.

    pip picks the wheels of the target (``--platform``/``--python-version``/``--implementation``), not
    of the machine running the synth, so an x86 laptop builds an arm64 layer without Docker. The lock
    (``infra.layer_lock``) names every distribution, hence ``--no-deps``: pip resolves nothing itself.
    """

    def __init__(self, requirements: Path) -> None:
        self.requirements = requirements

    def try_bundle(self, output_dir: str, *, image: DockerImage | None = None) -> bool:
        interpreter = find_interpreter(PYTHON_VERSION)  # before pip: a missing one fails at once
        target = Path(output_dir) / LAYER_SITE
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--requirement",
            str(self.requirements),
            "--no-deps",
            "--target",
            str(target),
            "--platform",
            PIP_PLATFORM,
            "--only-binary=:all:",
            "--python-version",
            PYTHON_VERSION,
            "--implementation",
            "cp",
            "--no-compile",  # pip would compile for *this* interpreter; compile_tree uses the runtime's
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
        prune_dependencies(target)
        compile_tree(target, interpreter)
        return True


@jsii.implements(ILocalBundling)
class CopyPackage:
    """The shared layer: ``<out>/python/<package>`` without the local-only code, compiled."""

    def __init__(self, source: Path, package: str) -> None:
        self.source = source
        self.package = package

    def try_bundle(self, output_dir: str, *, image: DockerImage | None = None) -> bool:
        interpreter = find_interpreter(PYTHON_VERSION)
        target = Path(output_dir) / LAYER_SITE
        copy_shared_package(self.source, self.package, target)
        compile_tree(target, interpreter)
        return True


@jsii.implements(ILocalBundling)
class CopyPrebuilt:
    """A dependency layer installed elsewhere (``dependency_layer_dir``): its ``python/``, compiled here.

    Bytecode it brings is dropped: only this build knows it matches the runtime's version.
    """

    def __init__(self, prebuilt: Path) -> None:
        self.prebuilt = prebuilt

    def try_bundle(self, output_dir: str, *, image: DockerImage | None = None) -> bool:
        interpreter = find_interpreter(PYTHON_VERSION)
        target = Path(output_dir) / LAYER_SITE
        shutil.copytree(
            self.prebuilt / LAYER_SITE, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
        prune_dependencies(target)
        compile_tree(target, interpreter)
        return True
