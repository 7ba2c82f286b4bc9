"""Cold import time of every Lambda handler, each in a fresh interpreter, against the baseline
``import fastapi, mangum, boto3`` (issue goal: every OCPI handler within 1.25x of it).

Each figure is the median of N runs of ``python -c`` timing the import inside the process, so
interpreter start-up is excluded and the bytecode cache is warm (as in a Lambda image).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
GOAL = 1.25

TIMER = (
    "import sys, time; sys.path[:0] = {paths!r}; t = time.perf_counter(); {statement}; "
    "print(time.perf_counter() - t)"
)


def time_import(statement: str, paths: list[str]) -> float:
    samples = []
    env = {"PATH": "/usr/bin:/bin", "POWERTOOLS_SERVICE_NAME": "bench", "AWS_DEFAULT_REGION": "eu-west-1"}
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", TIMER.format(paths=paths, statement=statement)],
            check=True, capture_output=True, text=True, env=env, cwd=ROOT,
        ).stdout
        samples.append(float(out.strip().splitlines()[-1]))
    return statistics.median(samples)


def handlers() -> list[Path]:
    return sorted(p for p in (ROOT / "functions").glob("*/handler.py"))


def main() -> int:
    shared = str(ROOT / "layers" / "shared")
    time_import("import handler", [shared, str(handlers()[0].parent)])  # warm bytecode caches
    baseline = time_import("import fastapi, mangum, boto3", [shared])
    print(f"cold import, median of {RUNS} fresh interpreters (goal: OCPI handlers <= {GOAL:.2f}x baseline)")
    # boto3 is imported on first use, not at import; the last columns add it to show the first request.
    print(f"{'handler':<22}{'ms':>9}{'ratio':>9}{'+boto3 ms':>12}{'ratio':>9}")
    print(f"{'baseline':<22}{baseline * 1000:>9.1f}{1.0:>9.2f}")
    worst = 0.0
    for path in handlers():
        paths = [shared, str(path.parent)]
        seconds = time_import("import handler", paths)
        with_boto3 = time_import("import handler, boto3", paths)
        ratio = seconds / baseline
        worst = max(worst, ratio)
        flag = "" if ratio <= GOAL else "  over goal"
        print(
            f"{path.parent.name:<22}{seconds * 1000:>9.1f}{ratio:>9.2f}"
            f"{with_boto3 * 1000:>12.1f}{with_boto3 / baseline:>9.2f}{flag}"
        )
    print(f"worst ratio {worst:.2f} (goal {GOAL:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
