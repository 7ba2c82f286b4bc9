"""One lock: ``requirements-lambda.txt`` pins every distribution of the dependency layer at the version
the tests run with, read from the environment they run in (the project's venv).

``python -m infra.layer_lock`` rewrites the file; ``--check`` exits 1 when it differs from the venv
(``tests/infra/test_bundling.py`` fails then too). The closure starts from pyproject's runtime
dependencies minus those the Lambda runtime provides, follows each distribution's requirements whose
markers hold on Lambda (CPython 3.13, Linux arm64), and is installed with ``pip --no-deps``, so the
layer holds exactly these versions and nothing pip would resolve at build time.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata

from packaging.markers import default_environment
from packaging.requirements import Requirement

from infra.constants import LAMBDA_REQUIREMENTS, PYTHON_VERSION, ROOT
from infra.layer_build import LOCAL_ONLY_DISTRIBUTIONS

RUNTIME_PROVIDED = ("boto3",)  # the Lambda Python runtime has boto3 (and botocore) installed
HEADER = """\
# The dependency layer's lock (docs/deploy.md "How the layers are built"): every distribution it holds,
# at the version the test suite runs with. Generated from the venv by `python -m infra.layer_lock`;
# do not edit (tests/infra/test_bundling.py fails when it and the venv differ). Installed with
# `pip install --no-deps` for Lambda's platform (infra/bundling.py).
"""


class LockError(RuntimeError):
    """The venv cannot give the layer's closure (a requirement not installed, a local-only one)."""


def lambda_environment() -> dict[str, str]:
    """PEP 508 marker values of the Lambda runtime (python3.13 on arm64 Amazon Linux)."""
    environment = default_environment()
    environment.update(
        python_version=PYTHON_VERSION,
        python_full_version=f"{PYTHON_VERSION}.0",
        implementation_name="cpython",
        platform_python_implementation="CPython",
        sys_platform="linux",
        platform_system="Linux",
        platform_machine="aarch64",
        os_name="posix",
    )
    return environment


def runtime_roots() -> list[Requirement]:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return [r for r in map(Requirement, declared) if _canonical(r.name) not in RUNTIME_PROVIDED]


def closure(roots: list[Requirement]) -> dict[str, str]:
    """``{distribution: installed version}`` of ``roots`` and everything they require on Lambda."""
    environment = lambda_environment()
    pinned: dict[str, str] = {}
    extras_seen: set[tuple[str, str]] = set()
    pending = list(roots)
    while pending:
        requirement = pending.pop()
        name = _canonical(requirement.name)
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise LockError(f"{name} (required on Lambda) is not installed in this environment") from None
        if not requirement.specifier.contains(distribution.version, prereleases=True):
            raise LockError(f"{name} {distribution.version} is installed but {requirement} is required")
        wanted = [""] + sorted(requirement.extras)
        if name in pinned and all((name, e) in extras_seen for e in wanted):
            continue
        pinned[name] = distribution.version
        for wanted_extra in wanted:
            if (name, wanted_extra) in extras_seen:
                continue
            extras_seen.add((name, wanted_extra))
            for line in distribution.requires or []:
                child = Requirement(line)
                if child.marker is None or child.marker.evaluate({**environment, "extra": wanted_extra}):
                    pending.append(child)
    local = sorted(set(pinned) & set(LOCAL_ONLY_DISTRIBUTIONS))
    if local:
        raise LockError(f"local-only distributions in the Lambda closure: {', '.join(local)}")
    return dict(sorted(pinned.items()))


def render(pins: dict[str, str]) -> str:
    return HEADER + "".join(f"{name}=={version}\n" for name, version in pins.items())


def read_pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_canonical(name)] = version.strip()
    return pins


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main(argv: list[str]) -> int:
    expected = render(closure(runtime_roots()))
    if "--check" in argv:
        if LAMBDA_REQUIREMENTS.read_text() == expected:
            return 0
        print(f"{LAMBDA_REQUIREMENTS.name} differs from the venv: run `python -m infra.layer_lock`", file=sys.stderr)
        return 1
    LAMBDA_REQUIREMENTS.write_text(expected)
    print(f"wrote {LAMBDA_REQUIREMENTS.name}: {expected.count('==')} pins")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
