"""What goes into the Lambda layers and how it is compiled, without CDK (``infra.bundling`` wraps it
for ``cdk synth``; ``make bench`` builds the same shared layer to time cold imports).

- The shared layer is ``mobie_hub`` minus the local-only code (:data:`LOCAL_ONLY`): the sandbox,
  the station simulator, the ``mobie-hub`` command and the local composition root, which need
  embedded AWS (moto), uvicorn, websockets, rich or cryptography (the ``local`` extra). The contract
  ``lambda-layer`` in ``.importlinter`` keeps the rest of the package from importing them.
- The dependency layer leaves out what a distribution in it ships that nothing on Lambda may load
  (:data:`LEFT_OUT_OF_DEPENDENCIES`): pydantic's copy of its v1 API.
- Both layers ship bytecode of the runtime's Python (``__pycache__/*.cpython-313.pyc``): Lambda
  cannot write ``__pycache__`` under ``/opt``, so without it every cold start compiles FastAPI,
  pydantic and the hub from source. A build that cannot produce it fails (:class:`LayerBuildError`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

# Paths inside the shared package that the Lambda functions never import (the local extra's code).
LOCAL_ONLY = ("local", "simulator", "cli", "wiring/local.py")
# Distributions of the local extra: neither in the dependency layer nor imported by the layer's code.
LOCAL_ONLY_DISTRIBUTIONS = ("moto", "uvicorn", "websockets", "cryptography", "rich")
# Paths under the dependency layer's site removed after pip installs the lock. pydantic.v1: FastAPI
# imports it only to refuse v1 models and reads its absence as "not a v1 model" (its answer for every
# model of the hub), pydantic only for a type with the v1 hook __get_validators__ (none in the
# closure); loading it was ~4 % of every OCPI cold start (`make bench`). A fresh-interpreter test
# builds every app and model with it absent (tests/unit/test_lambda_dependencies.py).
LEFT_OUT_OF_DEPENDENCIES = ("pydantic/v1",)
LAYER_SITE = "python"  # Lambda puts /opt/python on sys.path
PYTHON_ENV = "MOBIE_LAYER_PYTHON"  # an interpreter of the runtime's version, when not found on its own


class LayerBuildError(RuntimeError):
    """A layer cannot be built as Lambda needs it; the message says what to install or set."""


def copy_shared_package(source: Path, package: str, target: Path) -> Path:
    """Copy ``source/package`` to ``target/package`` without bytecode and without :data:`LOCAL_ONLY`."""
    root = source / package
    skipped = {root / path for path in LOCAL_ONLY}

    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder)
        return {
            name for name in names
            if name == "__pycache__" or name.endswith(".pyc") or here / name in skipped
        }

    shutil.copytree(root, target / package, ignore=ignore)
    return target / package


def prune_dependencies(site: Path) -> None:
    """Remove :data:`LEFT_OUT_OF_DEPENDENCIES` from an installed dependency layer's ``site``."""
    for path in LEFT_OUT_OF_DEPENDENCIES:
        shutil.rmtree(site / path, ignore_errors=True)


def find_interpreter(version: str) -> str:
    """A Python of ``version`` ("3.13"): $MOBIE_LAYER_PYTHON, ``python3.13`` on PATH, or pyenv's."""
    named = os.environ.get(PYTHON_ENV)
    if named:
        if _version_of(named) != version:
            raise LayerBuildError(f"{PYTHON_ENV}={named} is not a working Python {version}")
        return named
    candidates = [shutil.which(f"python{version}")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(
        (str(path) for path in pyenv_root.glob(f"versions/{version}.*/bin/python{version}")), reverse=True
    )
    for candidate in candidates:
        if candidate and _version_of(candidate) == version:
            return candidate
    raise LayerBuildError(
        f"the Lambda layers need bytecode for Python {version} (the runtime's version: Lambda cannot "
        f"write __pycache__ under /opt, so a layer without it compiles every module at each cold "
        f"start), and no Python {version} was found: install it (e.g. `pyenv install {version}`, "
        f"`uv python install {version}`) or set {PYTHON_ENV}=/path/to/python{version}"
    )


def _version_of(interpreter: str) -> str | None:
    try:
        probe = subprocess.run(
            [interpreter, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            check=False, capture_output=True, text=True, timeout=30,
        )
    except OSError:
        return None
    return probe.stdout.strip() if probe.returncode == 0 else None


def compile_tree(target: Path, interpreter: str) -> None:
    """Compile every ``.py`` under ``target`` with ``interpreter``, then check each has its ``.pyc``.

    ``unchecked-hash``: the asset zip resets file times, which would invalidate timestamp-based
    bytecode; the layer is immutable, so Python may trust the ``.pyc`` without reading the source.
    """
    result = subprocess.run(
        [interpreter, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(target)],
        check=False, capture_output=True, text=True,
    )
    missing = uncompiled(target, bytecode_tag(interpreter))
    if result.returncode != 0 or missing:
        listed = "\n  ".join(str(path.relative_to(target)) for path in missing[:20])
        raise LayerBuildError(
            f"{target}: {len(missing)} module(s) without bytecode after compileall "
            f"(exit {result.returncode}):\n  {listed}\n{result.stdout}{result.stderr}"
        )


def bytecode_tag(interpreter: str) -> str:
    if interpreter == sys.executable:
        return sys.implementation.cache_tag
    probe = subprocess.run(
        [interpreter, "-c", "import sys; print(sys.implementation.cache_tag)"],
        check=True, capture_output=True, text=True, timeout=30,
    )
    return probe.stdout.strip()


def uncompiled(target: Path, tag: str) -> list[Path]:
    """The ``.py`` files under ``target`` with no ``__pycache__/<name>.<tag>.pyc`` beside them."""
    return sorted(
        source for source in target.rglob("*.py")
        if not (source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc").is_file()
    )
