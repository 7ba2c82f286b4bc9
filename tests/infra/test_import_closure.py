"""A function's import closure (infra/import_closure.py), on which its DynamoDB grants rest: never
smaller than what the handler really loads, and as small as the code allows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from infra.constants import FUNCTIONS_DIR, ROOT, SHARED_LAYER_SOURCE
from infra.import_closure import UnresolvedImport, closure, function_closure

pytestmark = pytest.mark.infra

SOURCES = sorted(path.parent.name for path in FUNCTIONS_DIR.glob("*/handler.py"))

# A fresh interpreter imports one handler as Lambda does (the handler's folder and the layer on the
# path) and prints the package modules it loaded.
_LOADED = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import handler
print(json.dumps(sorted(name for name in sys.modules if name == "mobie_hub" or name.startswith("mobie_hub."))))
"""
_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_SERVICE_NAME": "closure-test",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def _loaded(source: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, str(FUNCTIONS_DIR / source), str(SHARED_LAYER_SOURCE)],
        capture_output=True, text=True, env=_ENV, cwd=ROOT, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.fixture(scope="module")
def loaded() -> dict[str, set[str]]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(SOURCES, pool.map(_loaded, SOURCES), strict=True))


def test_every_module_a_handler_loads_is_in_its_closure(loaded):
    assert len(loaded) >= 20
    for source, modules in loaded.items():
        assert "mobie_hub.wiring.aws" in modules, source  # the check really ran the handler
        missing = modules - function_closure(source)
        assert not missing, (source, sorted(missing))


def test_the_closure_follows_what_a_function_runs_not_the_whole_package(loaded):
    # Each OCPI Lambda: its own router only (create_app("locations") loads one of ROUTERS).
    assert "mobie_hub.locations.router" in function_closure("locations")
    assert "mobie_hub.tariffs.router" not in function_closure("locations")
    assert "mobie_hub.events.push_state" not in function_closure("locations")
    # The admin Lambda imports its operation modules by name on first dispatch: all are in.
    assert {"mobie_hub.tokens.admin", "mobie_hub.cdrs.admin", "mobie_hub.audit.admin"} <= function_closure("admin")
    # The station's Lambda reaches the OCPP central system through its port's factory (wiring/aws.py).
    assert "mobie_hub.ocpp.central_system" in function_closure("ocpp_message")
    # Lazy imports count: more than the handler's import loads (an import made in a function runs later).
    assert any(function_closure(source) > modules for source, modules in loaded.items())


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _entry(tmp_path: Path, text: str) -> Path:
    entry = tmp_path / "fn" / "handler.py"
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(text)
    return entry


def test_imports_nested_relative_by_name_and_through_ports(tmp_path):
    root = _package(tmp_path / "layer", {
        "mobie_hub/__init__.py": "",
        "mobie_hub/a/__init__.py": "",
        "mobie_hub/a/top.py": "from . import sibling\ndef later():\n    from mobie_hub.b import lazy\n",
        "mobie_hub/a/sibling.py": "",
        "mobie_hub/b/__init__.py": "",
        "mobie_hub/b/lazy.py": 'NAMES = ("mobie_hub.c.named",)\n',
        "mobie_hub/c/__init__.py": "",
        "mobie_hub/c/named.py": 'from mobie_hub.core.composition import Port\nSINK = Port("sink")\n',
        "mobie_hub/c/unused.py": "",
        "mobie_hub/core/__init__.py": "",
        "mobie_hub/core/composition.py": "",
        "mobie_hub/wiring/__init__.py": "",
        "mobie_hub/wiring/aws.py": (
            "from mobie_hub.core import composition\n"
            "def install():\n"
            '    composition.provide("sink", sink)\n'
            '    composition.provide("other", other)\n'
            "def sink():\n    from mobie_hub.d import adapter\n"
            "def other():\n    from mobie_hub.e import never\n"
        ),
        "mobie_hub/d/__init__.py": "",
        "mobie_hub/d/adapter.py": "",
        "mobie_hub/e/__init__.py": "",
        "mobie_hub/e/never.py": "",
    })
    entry = _entry(tmp_path, "from mobie_hub.a import top\nfrom mobie_hub.wiring import aws\n")

    found = closure([entry], root)

    assert {"mobie_hub.a.top", "mobie_hub.a.sibling", "mobie_hub.b.lazy", "mobie_hub.c.named"} <= found
    assert "mobie_hub.d.adapter" in found  # the factory of a port a module in the closure declares
    assert "mobie_hub.e.never" not in found  # a port nobody in the closure declares
    assert "mobie_hub.c.unused" not in found


def test_routers_load_by_key(tmp_path):
    root = _package(tmp_path / "layer", {
        "mobie_hub/__init__.py": "",
        "mobie_hub/ocpi/__init__.py": "",
        "mobie_hub/ocpi/app.py": (
            "from importlib import import_module\n"
            'ROUTERS: dict[str, str] = {"one": "mobie_hub.x.one", "two": "mobie_hub.x.two"}\n'
            "def load_router(key):\n    return import_module(ROUTERS[key])\n"
            "def create_app(*keys):\n    return [load_router(k) for k in keys]\n"
        ),
        "mobie_hub/x/__init__.py": "",
        "mobie_hub/x/one.py": "",
        "mobie_hub/x/two.py": "",
    })
    one = closure([_entry(tmp_path, 'from mobie_hub.ocpi.app import create_app\napp = create_app("one")\n')], root)
    assert "mobie_hub.x.one" in one and "mobie_hub.x.two" not in one
    every = closure([_entry(tmp_path, "from mobie_hub.ocpi.app import create_app\napp = create_app()\n")], root)
    assert {"mobie_hub.x.one", "mobie_hub.x.two"} <= every
    computed = closure([_entry(tmp_path, "from mobie_hub.ocpi.app import load_router\nr = load_router(KEY)\n")], root)
    assert {"mobie_hub.x.one", "mobie_hub.x.two"} <= computed


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('import importlib\nm = importlib.import_module(NAME)\n', "computed name"),
        ('m = __import__(NAME)\n', "computed name"),
        ('from mobie_hub.core.composition import Port\nP = Port(NAME)\n', "computed value"),
        ('from mobie_hub.core.composition import Port\nP = Port("nobody")\n', "no module in the closure provides"),
    ],
)
def test_what_the_closure_cannot_name_fails_the_synth(tmp_path, text, why):
    root = _package(tmp_path / "layer", {
        "mobie_hub/__init__.py": "",
        "mobie_hub/core/__init__.py": "",
        "mobie_hub/core/composition.py": "",
        "mobie_hub/feature.py": text,
    })
    with pytest.raises(UnresolvedImport, match=why):
        closure([_entry(tmp_path, "from mobie_hub import feature\n")], root)
