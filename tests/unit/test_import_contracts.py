"""The import rules (issue #13, docs/architecture.md "Import rules") hold, and the checkers that enforce
them fail on a planted break, so a green run means something.

- ``lint-imports`` runs the contracts in ``.importlinter``: no cycle between sub-packages (no
  baseline), core imports no feature, no feature imports another feature's repository or router,
  nothing below ``ocpi/`` imports FastAPI, and the Lambdas without HTTP (OCPP, push, stream, CDR,
  command steps, renewal) nor the AWS composition root reach FastAPI.
- ``module_cycles`` (grimp, which import-linter is built on) finds import cycles between modules,
  with no baseline at all.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(config: Path, cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(config)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )


def module_cycles(package: str) -> list[list[str]]:
    """One chain per group of modules that import each other, e.g. ``[a, b, a]``; [] when acyclic."""
    graph = grimp.build_graph(package, cache_dir=None)
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    cycles = []
    for group in _strongly_connected(imports):
        first = min(group)
        chains = [graph.find_shortest_chain(importer=m, imported=first) for m in imports[first] if m in group]
        chain = min((c for c in chains if c), key=len)
        cycles.append([first, *chain])
    return sorted(cycles)


def _strongly_connected(imports: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative; only groups of two modules or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for start in sorted(imports):
        if start in index:
            continue
        work = [(start, iter(sorted(imports[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(imports.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(group)
    return groups


def test_the_contracts_in_importlinter_hold():
    result = lint_imports(CONFIG, ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_module_of_mobie_hub_is_in_an_import_cycle():
    cycles = module_cycles("mobie_hub")

    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


# The checkers on a throwaway package with a planted cycle and a planted FastAPI import.
PLANTED = {
    "planted/__init__.py": "",
    "planted/core/__init__.py": "",
    "planted/core/paging.py": "import fastapi\n",
    "planted/alpha/__init__.py": "",
    "planted/alpha/one.py": "from planted.beta import two\n",
    "planted/alpha/three.py": "",
    "planted/beta/__init__.py": "",
    "planted/beta/two.py": "from planted.alpha import three\nfrom planted.beta import four\n",
    "planted/beta/four.py": "from planted.beta import two\n",
    "planted/alpha/repository.py": "",
    "planted/beta/repository.py": "from planted.beta import four\n",  # its own: allowed
    "planted/alpha/five.py": "from planted.beta import repository\n",  # another feature's: refused
}


def planted_package(tmp_path: Path) -> Path:
    for name, text in PLANTED.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def planted_config(tmp_path: Path) -> Path:
    """The repository's own contract types, pointed at the planted package, without the baseline."""
    ours = configparser.ConfigParser()
    ours.read(CONFIG)
    acyclic, forbidden = "importlinter:contract:acyclic", "importlinter:contract:no-fastapi-below-ocpi"
    boundaries = "importlinter:contract:feature-boundaries"
    config = tmp_path / ".importlinter"
    config.write_text("\n".join([
        "[importlinter]",
        "root_package = planted",
        "include_external_packages = True",
        "[importlinter:contract:acyclic]",
        "name = planted: no cycles",
        f"type = {ours[acyclic]['type']}",
        "ancestors = planted",
        "[importlinter:contract:no-fastapi]",
        "name = planted: no FastAPI",
        f"type = {ours[forbidden]['type']}",
        "source_modules = planted.core",
        "forbidden_modules =",
        *(f"    {module}" for module in ours[forbidden]["forbidden_modules"].split() if "." not in module),
        "[importlinter:contract:boundaries]",
        "name = planted: feature boundaries",
        f"type = {ours[boundaries]['type']}",
        f"allow_indirect_imports = {ours[boundaries]['allow_indirect_imports']}",
        "source_modules =",
        "    planted.alpha",
        "    planted.beta",
        "forbidden_modules =",
        "    planted.*.repository",
        "",
    ]))
    return config


def test_lint_imports_fails_on_a_planted_cycle_a_planted_fastapi_import_and_a_planted_boundary_crossing(tmp_path):
    root = planted_package(tmp_path)

    result = lint_imports(planted_config(tmp_path), cwd=root, pythonpath=root)

    assert result.returncode != 0, result.stdout
    assert "planted: no cycles BROKEN" in " ".join(result.stdout.split())
    assert "planted: no FastAPI BROKEN" in " ".join(result.stdout.split())
    assert "planted.core.paging -> fastapi" in result.stdout
    assert "planted: feature boundaries BROKEN" in " ".join(result.stdout.split())
    assert "planted.alpha.five -> planted.beta.repository" in result.stdout
    assert "planted.beta.repository -> planted.beta.four" not in result.stdout


def test_the_boundaries_contract_covers_every_repository_and_router_module():
    """A new ``*_repository`` / ``*_router`` module must be named in the contract (import-linter's
    wildcards match whole names only: ``mobie_hub.*.repository`` misses ``claims_repository``)."""
    ours = configparser.ConfigParser()
    ours.read(CONFIG)
    listed = ours["importlinter:contract:feature-boundaries"]["forbidden_modules"].split()
    graph = grimp.build_graph("mobie_hub", cache_dir=None)
    named = {m for m in graph.modules if m.rsplit(".", 1)[-1].endswith(("repository", "router"))}
    uncovered = {
        m for m in named
        if m not in listed and not any(
            w.count(".") == m.count(".") and all(a in ("*", b) for a, b in zip(w.split("."), m.split(".")))
            for w in listed if "*" in w
        )
    }

    assert len(named) >= 14
    assert uncovered == set()


def test_module_cycles_names_the_chain_of_a_planted_cycle(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(planted_package(tmp_path)))

    assert module_cycles("planted") == [["planted.beta.four", "planted.beta.two", "planted.beta.four"]]


# The same rule measured at run time: each Lambda without HTTP, imported in a fresh interpreter,
# has loaded no FastAPI or Starlette (what the Lambda pays at cold start).
LAMBDAS_WITHOUT_HTTP = [
    "ocpp_message", "ocpp_connect", "ocpp_authorizer", "ocpp_disconnect", "push", "stream_events",
    "cdr_creation", "cdr_redelivery", "command_send", "command_result", "credentials_renewal",
    "hubclientinfo_push", "station_watchdog",
]
PROBE = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("handler", sys.argv[1])
spec.loader.exec_module(importlib.util.module_from_spec(spec))
print(sorted({m.split(".")[0] for m in sys.modules} & {"fastapi", "starlette"}))
"""


def test_the_lambdas_without_http_load_no_fastapi():
    loaded = {}
    for name in LAMBDAS_WITHOUT_HTTP:
        handler = ROOT / "functions" / name / "handler.py"
        result = subprocess.run(
            [sys.executable, "-c", PROBE, str(handler)], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, f"{name}: {result.stderr}"
        loaded[name] = result.stdout.strip()

    assert loaded == {name: "[]" for name in LAMBDAS_WITHOUT_HTTP}
