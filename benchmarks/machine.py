"""Benchmark (not a test): the README's main command, the whole release state machine on the
example service, each step's time beside the floor it could reach (issue 25 item 3: at most
100 s with warm caches, 4 minutes on a fresh machine).

    nox -s bench -- machine [--runs 3] [--cold-runs 1]
    uv run python -m benchmarks.machine ...   (the same, in the project's environment)

Each run is `staged-release rehearse --project examples/notes-service --fail-at
validate_rc:3.12 --post-fix` as a process of its own, timed whole. Warm: the machine's caches as
they are (the engine's data root with its base image, built layers and stack images; uv's cache).
Cold (--cold-runs): a fresh cache directory of ours (XDG_CACHE_HOME: a new engine data root, so
the base image, the stack image and every layer are built; no Debian packages kept), uv's cache
left warm; it is removed afterwards.

The floor of a step is the work no speed-up removes, read from the run's own report:
- a step of cells (candidate checks, validation): its slowest cell's checks (the tests' own time);
- an E2E stage: its stack's start, readiness, setup and verify (the services' start, the tests);
- the images stage: the smoke tests (each variant's start); its builds found e2e_prepublish's
  layers, and the changed layers are counted there;
- the version check and build, an upload: their own time (no stand-in to start);
- everything between the stages (copies, the stand-ins' start, the audit, the report): 0.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks import _common as common
from release.core import runner

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "notes-service"
WARM_BUDGET, COLD_BUDGET = 100.0, 240.0  # seconds, the targets
CELLS = ("validate_rc", "candidate_checks", "validate_final")
JOBS = 2  # the rehearsal's --jobs default, which the README's command keeps
E2E_PHASES = ("start", "ready", "setup", "verify")


def main(argv: list[str] | None = None) -> int:
    parser = common.parser(__doc__, runs=3)
    parser.add_argument("--cold-runs", type=int, default=0, help="runs on a fresh cache (slow)")
    args = parser.parse_args(argv)
    warm = [rehearse(None) for _ in range(args.runs)]
    cold = [rehearse(fresh_cache()) for _ in range(args.cold_runs)]
    rows = step_rows(warm)
    rows.append(common.Row("whole command, warm", [w for w, _ in warm], floor=WARM_BUDGET,
                           target=1.0, notes="(reference: the 100 s budget)"))  # fmt: skip
    if cold:
        rows.append(common.Row("whole command, cold", [w for w, _ in cold], floor=COLD_BUDGET,
                               target=1.0, notes="(reference: the 4 min budget)"))  # fmt: skip
    print(common.table("\nthe whole machine (seconds; a step's reference is its floor)", rows))
    floors = statistics.median(sum(f for _, _, f in steps(r)) for _, r in warm)
    print(f"\nsum of the steps' floors (median): {floors:.1f} s")
    return 0


def uv_cache() -> str:
    return os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv")


def fresh_cache() -> Path:
    return Path(tempfile.mkdtemp(prefix="sr-bench-cache-"))


def rehearse(cache: Path | None) -> tuple[float, dict[str, Any]]:
    """One whole run: its wall-clock seconds and its report's data."""
    with tempfile.TemporaryDirectory(prefix="sr-bench-machine-") as tmp:
        env, unset = {}, []
        if cache is not None:  # a private engine on the fresh data root, uv's cache as it is
            env = {"XDG_CACHE_HOME": str(cache), "UV_CACHE_DIR": uv_cache()}
            unset = ["DOCKER_HOST"]
        argv = [sys.executable, "-m", "release", "-q", "rehearse", "--project", str(EXAMPLE),
                "--fail-at", "validate_rc:3.12", "--post-fix", "--report-dir", tmp]  # fmt: skip
        started = time.perf_counter()
        try:
            runner.run(argv, env=env, unset=unset, timeout=1800)
            took = time.perf_counter() - started
            data = json.loads((Path(tmp) / "report.json").read_text())
        finally:
            if cache is not None:
                shutil.rmtree(cache, ignore_errors=True)
    print(f"  {'cold' if cache else 'warm'} run: {took:.1f} s", flush=True)
    return took, data


def step_rows(runs: list[tuple[float, dict[str, Any]]]) -> list[common.Row]:
    """One row per lane run and stage (in the order they ran), plus the time between stages."""
    figures: dict[str, list[float]] = defaultdict(list)
    floors: dict[str, list[float]] = defaultdict(list)
    for wall, data in runs:
        found = steps(data)
        for name, seconds, floor in found:
            figures[name].append(seconds)
            floors[name].append(floor)
        figures["between the stages"].append(wall - sum(s for _, s, _ in found))
        floors["between the stages"].append(0.0)
    return [
        common.Row(name, figures[name], floor=statistics.median(floors[name]) or None)
        for name in figures
    ]


def steps(data: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(lane run and stage, seconds, floor) for every stage that ran, in order."""
    found = []
    for run in data["runs"]:
        by_stage: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for outcome in run["outcomes"]:
            if outcome["status"] != "skipped":
                by_stage[outcome["stage"]].append(outcome)
        for stage, outcomes in by_stage.items():
            seconds = span([o["duration"] for o in outcomes])
            found.append((f"{run['name']} {stage}", seconds, floor(stage, outcomes, run)))
    return found


def span(seconds: list[float], jobs: int = JOBS) -> float:
    """How long cells of these durations take, started in order on `jobs` workers as the
    rehearsal starts them (three cells on two: the third after the first to end)."""
    ends = [0.0] * jobs
    for each in seconds:
        ends[ends.index(min(ends))] += each
    return max(ends)


def floor(stage: str, outcomes: list[dict[str, Any]], run: dict[str, Any]) -> float:
    if stage in CELLS:
        return span([sum(c["seconds"] or 0.0 for c in o["checks"]) for o in outcomes])
    fact = run["facts"].get(stage)
    if stage.startswith("e2e_") and isinstance(fact, dict):
        return sum(float(fact["phases"].get(phase, 0.0)) for phase in E2E_PHASES)
    if stage == "images" and isinstance(fact, list):
        return sum(float(image.get("smoke_seconds") or 0.0) for image in fact)
    return float(max(o["duration"] for o in outcomes))


if __name__ == "__main__":
    sys.exit(main())
