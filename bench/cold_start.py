"""Cold import of every Lambda handler as Lambda pays it, against the baseline ``import fastapi,
mangum, boto3``. Goals (issue #14): every OCPI handler <= 1.25x the baseline; every other handler
(OCPP, push, stream, CDR, commands, renewal, admin) <= 1.00x, having no FastAPI in its closure.

As in Lambda, the code is compiled before it runs: the shared layer is built into a temporary folder
the way the CDK builds it (``infra.layer_build``: ``mobie_hub`` without the local-only code, compiled
with ``unchecked-hash`` bytecode), each handler beside it, compiled too; the dependencies are the venv's,
compiled by pip. Each import then runs in a fresh interpreter that writes no bytecode (``/opt`` is
read-only in Lambda) and lists any module it had to compile from source: that column must be 0.

The figure is the CPU time of ``import handler, boto3`` inside that process (interpreter start-up
excluded; boto3 because every handler loads it by its first request, and the baseline has it), the
median of RUNS rounds in which the baseline and the handlers take turns, so a busy machine slows all
alike. CPU time rather than wall time: other processes on the machine do not count against it.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.layer_build import compile_tree, copy_shared_package
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


def measure(statement: str, paths: list[str], layer: Path) -> dict:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONDONTWRITEBYTECODE": "1",
        "POWERTOOLS_SERVICE_NAME": "bench",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    out = subprocess.run(
        [sys.executable, "-c", TIMER.format(paths=paths, statement=statement, layer=str(layer))],
        check=True, capture_output=True, text=True, env=env, cwd=paths[-1],
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(only: list[str] | None = None) -> int:
    """``python bench/cold_start.py [handler ...]``: every handler, or those named."""
    with tempfile.TemporaryDirectory(prefix="mobie-bench-") as tmp:
        layer, functions = build(Path(tmp))
        functions = {name: folder for name, folder in functions.items() if not only or name in only}
        targets = {"baseline": (BASELINE, [str(layer)])}
        targets |= {name: (HANDLER, [str(layer), str(folder)]) for name, folder in functions.items()}
        measure(BASELINE, [str(layer)], layer)  # the OS file cache, not bytecode: nothing is written
        samples: dict[str, list[dict]] = {name: [] for name in targets}
        for _ in range(RUNS):
            for name, (statement, paths) in targets.items():
                samples[name].append(measure(statement, paths, layer))
    report(samples)
    return 0


def report(samples: dict[str, list[dict]]) -> None:
    cpu = {name: statistics.median(s["cpu"] for s in runs) for name, runs in samples.items()}
    wall = {name: statistics.median(s["wall"] for s in runs) for name, runs in samples.items()}
    baseline = cpu["baseline"]
    print(
        f"cold import with bytecode ({sys.implementation.cache_tag}), CPU ms, median of {RUNS} fresh "
        f"interpreters; goal: OCPI handlers <= {OCPI_GOAL:.2f}x baseline, the others <= {OTHER_GOAL:.2f}x"
    )
    print(f"{'handler':<22}{'cpu ms':>9}{'ratio':>8}{'goal':>7}{'wall ms':>10}  {'FastAPI':<8}{'from source':>11}")
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
        print(
            f"{name:<22}{cpu[name] * 1000:>9.1f}{ratio:>8.2f}{goal if name != 'baseline' else '':>7}"
            f"{wall[name] * 1000:>10.1f}  {'yes' if fastapi else 'no':<8}{len(from_source):>11}"
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
