"""Cold import of every Lambda handler as Lambda pays it, against the baseline ``import fastapi,
mangum, boto3``. Goals (issue #14): every OCPI handler <= 1.25x the baseline; every other handler
(OCPP, push, stream, CDR, commands, renewal, admin) <= 1.00x, having no FastAPI in its closure.

As in Lambda, the code is compiled before it runs: the shared layer is built into a temporary folder
the way the CDK builds it (``infra.layer_build``: ``mobie_hub`` without the local-only code, compiled
with ``unchecked-hash`` bytecode), each handler beside it, compiled too. The dependencies are the
venv's copies (compiled by pip) of exactly what Lambda has: the lock ``requirements-lambda.txt`` and
the runtime's boto3 with what it requires, linked into one folder; the interpreter runs without
``site`` (``-S``), so nothing else installed in the venv is importable. Packages import optional
extras when they are present (httpx its command line, hence rich, click and pygments): the venv's
local-only and development packages would be counted although Lambda never loads them. Each import
runs in a fresh interpreter that writes no bytecode (``/opt`` is read-only in Lambda) and lists any
module it had to compile from source: that column must be 0.

The figure is the CPU time of ``import handler, boto3`` inside that process (interpreter start-up
excluded; boto3 because every handler loads it by its first request, and the baseline has it), the
median of RUNS rounds in which the baseline and the handlers take turns, so a busy machine slows all
alike. CPU time rather than wall time: other processes on the machine do not count against it.

``--instructions`` (needs valgrind) adds what a busy machine cannot move: the instructions the same
import executes under callgrind, the interpreter's start-up subtracted, one run per target (slow: about
half a minute each).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from packaging.requirements import Requirement

from infra.layer_build import LEFT_OUT_OF_DEPENDENCIES, compile_tree, copy_shared_package
from mobie_hub.core.modules import MODULES_BY_ID

RUNS = int(os.environ.get("BENCH_COLD_RUNS", "5"))
OCPI_GOAL = 1.25
OTHER_GOAL = 1.00
BASELINE = "import fastapi, mangum, boto3"
HANDLER = "import handler, boto3"

TIMER = """
import json, os, sys, time
sys.path[:0] = {paths!r}
cpu, wall = time.process_time(), time.perf_counter()
{statement}
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
shared = sys.modules.get("mobie_hub")
assert shared is None or shared.__file__.startswith({layer!r}), shared.__file__  # the built layer's copy
from_source = sorted(
    name for name, module in list(sys.modules.items())
    if (spec := getattr(module, "__spec__", None)) is not None and (spec.origin or "").endswith(".py")
    and spec.cached and not os.path.exists(spec.cached)
)
print(json.dumps({{"cpu": cpu, "wall": wall, "fastapi": "fastapi" in sys.modules, "from_source": from_source}}))
"""


ENV = {
    "PATH": "/usr/bin:/bin",
    "PYTHONDONTWRITEBYTECODE": "1",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "AWS_DEFAULT_REGION": "eu-west-1",
}
INTERPRETER = [sys.executable, "-S", "-s"]  # no site: only the folders a target names are importable


def build(workdir: Path) -> tuple[Path, dict[str, Path]]:
    """The shared layer and a folder per handler, compiled by this interpreter as the CDK compiles."""
    layer = workdir / "python"
    copy_shared_package(ROOT / "layers" / "shared", "mobie_hub", layer)
    functions = {}
    for handler in sorted((ROOT / "functions").glob("*/handler.py")):
        folder = workdir / "functions" / handler.parent.name
        folder.mkdir(parents=True)
        shutil.copy2(handler, folder / "handler.py")
        functions[handler.parent.name] = folder
    compile_tree(workdir, sys.executable)
    return layer, functions


def lambda_dependencies(target: Path) -> Path:
    """A folder of links to the venv's copies of what Lambda can import besides the layers: the
    dependency layer's lock (less what the layer leaves out) and the runtime's boto3 with its own
    requirements."""
    lock = (ROOT / "requirements-lambda.txt").read_text().splitlines()
    names = {line.partition("==")[0] for line in lock if line and not line.startswith("#")}
    pending = ["boto3"]  # infra.layer_lock.RUNTIME_PROVIDED (not imported: infra.constants loads the CDK)
    while pending:
        names.add(name := pending.pop())
        requires = map(Requirement, metadata.distribution(name).requires or ())
        pending += [r.name for r in requires if r.name not in names and (not r.marker or r.marker.evaluate())]
    target.mkdir(parents=True)
    (target / "__pycache__").mkdir()
    for name in sorted(names):
        distribution = metadata.distribution(name)
        site = Path(distribution.locate_file(""))
        for top in sorted({f.parts[0] for f in distribution.files or ()} - {"..", "__pycache__"}):
            _link(site / top, target / top, Path(top))
            if top.endswith(".py"):  # a one-module distribution keeps its bytecode in site's __pycache__
                for cached in (site / "__pycache__").glob(f"{top[:-3]}.*.pyc"):
                    (target / "__pycache__" / cached.name).symlink_to(cached)
    return target


def _link(source: Path, link: Path, relative: Path) -> None:
    """``link`` to ``source``; a folder of links to its entries where a left-out path lies inside."""
    left_out = [Path(path) for path in LEFT_OUT_OF_DEPENDENCIES]
    if relative in left_out:
        return
    if not any(relative in path.parents for path in left_out):
        link.symlink_to(source)
        return
    link.mkdir()
    for entry in source.iterdir():
        _link(entry, link / entry.name, relative / entry.name)


def measure(statement: str, paths: list[str], layer: Path) -> dict:
    out = subprocess.run(
        [*INTERPRETER, "-c", TIMER.format(paths=paths, statement=statement, layer=str(layer))],
        check=True, capture_output=True, text=True, env=ENV, cwd=paths[-2],
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def instructions(statement: str, paths: list[str]) -> int:
    """Instructions callgrind counts for a fresh interpreter that runs ``statement`` after putting
    ``paths`` first on ``sys.path``; ``statement`` "pass" gives the interpreter's own start-up."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *INTERPRETER, "-c",
         f"import sys; sys.path[:0] = {paths!r}\n{statement}"],
        check=True, capture_output=True, text=True, env=ENV, cwd=paths[-2],
    )
    return int(re.search(r"Collected : (\d+)", result.stderr).group(1))


def main(argv: list[str] | None = None) -> int:
    """``python bench/cold_start.py [--instructions] [handler ...]``: every handler, or those named."""
    argv = list(argv or [])
    counting = "--instructions" in argv
    only = [name for name in argv if not name.startswith("--")]
    with tempfile.TemporaryDirectory(prefix="mobie-bench-") as tmp:
        layer, functions = build(Path(tmp))
        dependencies = str(lambda_dependencies(Path(tmp) / "dependencies"))
        functions = {name: folder for name, folder in functions.items() if not only or name in only}
        targets = {"baseline": (BASELINE, [str(layer), dependencies])}
        targets |= {name: (HANDLER, [str(layer), str(folder), dependencies]) for name, folder in functions.items()}
        measure(*targets["baseline"], layer)  # the OS file cache, not bytecode: nothing is written
        samples: dict[str, list[dict]] = {name: [] for name in targets}
        for _ in range(RUNS):
            for name, (statement, paths) in targets.items():
                samples[name].append(measure(statement, paths, layer))
        counts = {}
        if counting:
            startup = instructions("pass", targets["baseline"][1])
            counts = {name: instructions(*target) - startup for name, target in targets.items()}
    report(samples, counts)
    return 0


def report(samples: dict[str, list[dict]], counts: dict[str, int]) -> None:
    cpu = {name: statistics.median(s["cpu"] for s in runs) for name, runs in samples.items()}
    wall = {name: statistics.median(s["wall"] for s in runs) for name, runs in samples.items()}
    baseline = cpu["baseline"]
    print(
        f"cold import with bytecode ({sys.implementation.cache_tag}), CPU ms, median of {RUNS} fresh "
        f"interpreters; goal: OCPI handlers <= {OCPI_GOAL:.2f}x baseline, the others <= {OTHER_GOAL:.2f}x"
    )
    counted = f"{'instr M':>9}{'ratio':>7}" if counts else ""
    print(f"{'handler':<22}{'cpu ms':>9}{'ratio':>8}{'goal':>7}{'wall ms':>10}{counted}  {'FastAPI':<8}{'from source':>11}")
    worst = {}
    for name, runs in samples.items():
        ratio = cpu[name] / baseline
        goal = OCPI_GOAL if name in MODULES_BY_ID else OTHER_GOAL
        from_source = sorted({m for s in runs for m in s["from_source"]})
        fastapi = runs[0]["fastapi"]
        flags = [] if name == "baseline" or ratio <= goal else ["over goal"]
        if fastapi and name not in MODULES_BY_ID and name != "baseline":
            flags.append("loads FastAPI")
        if name != "baseline":
            worst[goal] = max(worst.get(goal, 0.0), ratio)
        counted = f"{counts[name] / 1e6:>9.0f}{counts[name] / counts['baseline']:>7.2f}" if counts else ""
        print(
            f"{name:<22}{cpu[name] * 1000:>9.1f}{ratio:>8.2f}{goal if name != 'baseline' else '':>7}"
            f"{wall[name] * 1000:>10.1f}{counted}  {'yes' if fastapi else 'no':<8}{len(from_source):>11}"
            f"{'  ' + ', '.join(flags) if flags else ''}"
        )
        if from_source:
            print(f"{'':<22}compiled from source: {', '.join(from_source[:8])}")
    print(
        f"worst ratio: OCPI {worst.get(OCPI_GOAL, 0):.2f} (goal {OCPI_GOAL:.2f}), "
        f"others {worst.get(OTHER_GOAL, 0):.2f} (goal {OTHER_GOAL:.2f})"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
