"""Layer bundling without Docker: what pip is asked for, what each layer holds (bytecode of the
runtime's Python, no local-only code), and the one lock the dependency layer is installed from."""

from __future__ import annotations

import configparser
import subprocess
import sys

import pytest

from infra import bundling, layer_build, layer_lock
from infra.constants import LAMBDA_REQUIREMENTS, PYTHON_VERSION, ROOT, SHARED_LAYER_SOURCE

pytestmark = pytest.mark.infra

RUNTIME_TAG = "cpython-" + PYTHON_VERSION.replace(".", "")


@pytest.fixture
def runtime_python() -> str:
    try:
        return layer_build.find_interpreter(PYTHON_VERSION)
    except layer_build.LayerBuildError:
        pytest.skip(f"no Python {PYTHON_VERSION} on this machine: a real layer build would fail (as tested)")


@pytest.fixture
def no_runtime_python(monkeypatch, tmp_path):
    """A machine with no Python of the runtime's version anywhere the build looks."""
    monkeypatch.delenv(layer_build.PYTHON_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))


def test_dependency_layer_is_pip_installed_from_the_lock_for_lambda_arm64(monkeypatch, tmp_path):
    calls, compiled = [], []
    monkeypatch.setattr(bundling, "find_interpreter", lambda version: f"/usr/bin/python{version}")
    monkeypatch.setattr(bundling, "compile_tree", lambda target, interpreter: compiled.append((target, interpreter)))
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
        "--no-deps",  # the lock names every distribution: pip resolves nothing of its own
        "--platform manylinux2014_aarch64",
        "--only-binary=:all:",
        "--python-version 3.13",
        "--implementation cp",
        "--no-compile",
    ):
        assert flag in options
    assert compiled == [(tmp_path / "python", "/usr/bin/python3.13")]


def test_the_dependency_layer_leaves_out_pydantic_v1(monkeypatch, tmp_path):
    """FastAPI only imports pydantic.v1 to refuse v1 models (tests/unit/test_lambda_dependencies.py)."""
    monkeypatch.setattr(bundling, "find_interpreter", lambda version: f"/usr/bin/python{version}")
    monkeypatch.setattr(bundling, "compile_tree", lambda target, interpreter: None)
    installed = tmp_path / "python" / "pydantic"

    def pip(command, **_):
        for module in ("__init__.py", "main.py", "v1/__init__.py", "v1/main.py"):
            (installed / module).parent.mkdir(parents=True, exist_ok=True)
            (installed / module).write_text("")
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(bundling.subprocess, "run", pip)

    assert bundling.PipInstall(LAMBDA_REQUIREMENTS).try_bundle(str(tmp_path)) is True

    assert sorted(p.name for p in installed.iterdir()) == ["__init__.py", "main.py"]
    assert "pydantic-settings" not in layer_lock.read_pins(LAMBDA_REQUIREMENTS.read_text())


def test_pip_failure_names_the_offline_alternative(monkeypatch, tmp_path):
    monkeypatch.setattr(bundling, "find_interpreter", lambda version: "python3.13")
    monkeypatch.setattr(
        bundling.subprocess,
        "run",
        lambda command, **_: subprocess.CompletedProcess(command, 1, "", "no network"),
    )
    with pytest.raises(RuntimeError, match="dependency_layer_dir"):
        bundling.PipInstall(LAMBDA_REQUIREMENTS).try_bundle(str(tmp_path))


@pytest.mark.parametrize(
    "bundle",
    [
        lambda: bundling.PipInstall(LAMBDA_REQUIREMENTS),
        lambda: bundling.CopyPackage(SHARED_LAYER_SOURCE, "mobie_hub"),
        lambda: bundling.CopyPrebuilt(ROOT / "layers" / "shared"),
    ],
    ids=["dependencies", "shared", "prebuilt"],
)
def test_without_the_runtimes_python_the_build_fails_and_says_what_to_install(no_runtime_python, tmp_path, bundle):
    with pytest.raises(layer_build.LayerBuildError, match=r"bytecode for Python 3\.13.*MOBIE_LAYER_PYTHON"):
        bundle().try_bundle(str(tmp_path))

    assert list(tmp_path.iterdir()) == [], "nothing was installed or copied"


def test_an_interpreter_named_by_the_environment_must_be_the_runtimes_version(monkeypatch):
    monkeypatch.setenv(layer_build.PYTHON_ENV, sys.executable)  # the venv's Python, not 3.13
    if sys.version_info[:2] == tuple(map(int, PYTHON_VERSION.split("."))):
        pytest.skip("the test interpreter is the runtime's version")

    with pytest.raises(layer_build.LayerBuildError, match="is not a working Python 3.13"):
        layer_build.find_interpreter(PYTHON_VERSION)


def test_a_module_that_does_not_compile_fails_the_build_by_name(tmp_path):
    (tmp_path / "good.py").write_text("x = 1\n")
    (tmp_path / "broken.py").write_text("def (:\n")

    with pytest.raises(layer_build.LayerBuildError, match=r"(?s)1 module.*without bytecode.*broken\.py"):
        layer_build.compile_tree(tmp_path, sys.executable)

    assert (tmp_path / "__pycache__" / f"good.{sys.implementation.cache_tag}.pyc").is_file()


def test_shared_layer_is_mobie_hub_without_local_code_compiled_for_the_runtime(runtime_python, tmp_path):
    assert bundling.CopyPackage(SHARED_LAYER_SOURCE, "mobie_hub").try_bundle(str(tmp_path)) is True

    package = tmp_path / "python" / "mobie_hub"
    assert (package / "__init__.py").is_file()
    assert (package / "core" / "tables.py").is_file()
    assert (package / "wiring" / "aws.py").is_file()
    assert list((package / "data").glob("*.json")), "the package data ships"
    for local in ("local", "simulator", "cli", "wiring/local.py"):
        assert not (package / local).exists(), f"{local} is local-only"
    sources = list(package.rglob("*.py"))
    assert len(sources) > 100
    assert layer_build.uncompiled(package, RUNTIME_TAG) == []
    assert (package / "core" / "__pycache__" / f"tables.{RUNTIME_TAG}.pyc").is_file()
    foreign = [p for p in package.rglob("*.pyc") if f".{RUNTIME_TAG}." not in p.name]
    assert foreign == [], "bytecode of another Python must not ship"


def test_a_prebuilt_dependency_layer_is_recompiled_for_the_runtime(runtime_python, tmp_path):
    prebuilt = tmp_path / "prebuilt" / "python" / "somelib"
    (prebuilt / "__pycache__").mkdir(parents=True)
    (prebuilt / "__init__.py").write_text("VALUE = 1\n")
    (prebuilt / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"stale")
    out = tmp_path / "out"
    out.mkdir()

    assert bundling.CopyPrebuilt(tmp_path / "prebuilt").try_bundle(str(out)) is True

    assert sorted(p.name for p in (out / "python" / "somelib" / "__pycache__").iterdir()) == [
        f"__init__.{RUNTIME_TAG}.pyc"
    ]


def test_the_lock_is_the_venvs_versions_of_the_lambda_closure():
    """One lock: the layer gets exactly the versions the tests run with (`python -m infra.layer_lock`)."""
    expected = layer_lock.render(layer_lock.closure(layer_lock.runtime_roots()))

    assert LAMBDA_REQUIREMENTS.read_text() == expected, "run `.venv/bin/python -m infra.layer_lock`"


def test_the_lock_holds_the_runtime_dependencies_and_nothing_local_or_provided_by_lambda():
    pins = layer_lock.read_pins(LAMBDA_REQUIREMENTS.read_text())
    roots = {layer_lock._canonical(r.name) for r in layer_lock.runtime_roots()}

    assert {"fastapi", "pydantic", "pydantic-core", "mangum", "httpx", "ocpp", "starlette"} <= set(pins)
    assert roots <= set(pins)
    assert "boto3" not in roots and not {"boto3", "botocore"} & set(pins)  # the runtime has them
    assert not set(layer_build.LOCAL_ONLY_DISTRIBUTIONS) & set(pins)
    assert all(version and version[0].isdigit() for version in pins.values())


def test_the_lock_follows_markers_for_lambdas_python_not_the_venvs(monkeypatch):
    """A requirement only for Pythons older than 3.13 stays out; one the venv lacks is an error."""
    from packaging.requirements import Requirement

    class Distribution:
        def __init__(self, version, requires):
            self.version, self.requires = version, requires

    installed = {
        "app": Distribution("1.0", ['old-backport; python_version < "3.12"', "needed>=2", 'tests; extra == "dev"']),
        "needed": Distribution("2.1", []),
    }

    def distribution(name):
        if name not in installed:
            raise layer_lock.metadata.PackageNotFoundError(name)
        return installed[name]

    monkeypatch.setattr(layer_lock.metadata, "distribution", distribution)

    assert layer_lock.closure([Requirement("app")]) == {"app": "1.0", "needed": "2.1"}
    installed["app"].requires.append('only-on-313; python_version >= "3.13"')
    with pytest.raises(layer_lock.LockError, match="only-on-313 .*not installed"):
        layer_lock.closure([Requirement("app")])


def test_the_import_contract_forbids_what_the_layer_leaves_out_to_every_other_package():
    contract = configparser.ConfigParser()
    contract.read(ROOT / ".importlinter")
    section = contract["importlinter:contract:lambda-layer"]
    local_modules = {"mobie_hub." + p.removesuffix(".py").replace("/", ".") for p in layer_build.LOCAL_ONLY}

    not_in_lock = {"pydantic_settings"}  # core.settings.EnvSettings reads the environment instead
    assert set(section["forbidden_modules"].split()) == (
        local_modules | set(layer_build.LOCAL_ONLY_DISTRIBUTIONS) | not_in_lock
    )
    packages = {
        f"mobie_hub.{p.name}" for p in (SHARED_LAYER_SOURCE / "mobie_hub").iterdir() if (p / "__init__.py").is_file()
    }
    covered = set(section["source_modules"].split()) | local_modules
    assert packages - {"mobie_hub.wiring"} <= covered, "a new package must be in the lambda-layer contract"
    wiring = {f"mobie_hub.wiring.{p.stem}" for p in (SHARED_LAYER_SOURCE / "mobie_hub" / "wiring").glob("[!_]*.py")}
    assert wiring <= covered
