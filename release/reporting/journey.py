"""A rehearsal's report as plain data: the path through the release state machine, every lane
run with its stages, cells and checks, and the facts around them (files, images, E2E timeline).

`journey()` builds it (reading only the tails of failed checks' logs); the renderers
(release.reporting.render_md, render_html) are pure functions of it; release.reporting.report_files
writes the three files.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from release.context import injected
from release.pipeline import inject
from release.pipeline.machine import TITLES, LaneRun, derive
from release.pipeline.machine import Path as MachinePath
from release.pipeline.outcomes import Report, Status
from release.pipeline.stages import Job, Target, builder, doing

EXCERPT_LINES = 20  # lines of a failed check's log the report carries


def journey(
    title: str,
    runs: Sequence[LaneRun],
    path: MachinePath,
    facts: Mapping[str, Any],
    run_facts: Mapping[str, Mapping[str, Any]],
    *,
    exit_code: int,
    seconds: float,
    injected: str = "",
    drift: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The report's data. `drift`: the lines `staged-release status` reports of what the run
    left on the indexes and registry (None: not read, as in one lane's report)."""
    return {
        "title": title,
        "passed": exit_code == 0,
        "exit_code": exit_code,
        "seconds": round(seconds, 1),
        "injected": injected,
        "path": [_visit(i, v, path) for i, v in enumerate(path.visits, 1)],
        "moves": [
            {"from": str(m.source), "to": str(m.target), "version": m.version, "why": m.why}
            for m in path.moves
        ],
        "runs": [_run(r, run_facts.get(r.name, {})) for r in runs],
        "facts": dict(facts),
        "drift": None if drift is None else list(drift),
    }


def lane_journey(report: Report, seconds: float) -> dict[str, Any]:
    """The report's data (release.reporting.journey) of `rehearse rc` or `rehearse final`: one lane
    run per lane in the report, each at the version its build had."""
    runs = []
    for target in dict.fromkeys(Target(o.lane) for o in report.outcomes):
        name = "rc" if target is Target.TESTPYPI and "rc" in report.facts else str(target)
        facts = report.facts.get("rc", {}) if name == "rc" else report.facts
        version = str((facts.get(builder().name) or {}).get("version", ""))
        outcomes = [o for o in report.outcomes if o.lane == target]
        runs.append((LaneRun(name, target, version, outcomes), facts))
    path = derive([r for r, _ in runs])
    run_facts = {r.name: {k: v for k, v in f.items() if k != "rc"} for r, f in runs}
    return journey(report.title, [r for r, _ in runs], path, {}, run_facts,
                   exit_code=report.exit_code, seconds=seconds)  # fmt: skip


def _visit(step: int, visit: Any, path: MachinePath) -> dict[str, Any]:
    """Step N was reached by move N-1: its why is said here, beside the state."""
    why = path.moves[step - 2].why if step > 1 else ""
    return {
        "step": step, "state": str(visit.state), "title": TITLES[visit.state],
        "version": visit.version, "status": str(visit.status), "seconds": round(visit.seconds, 1),
        "run": visit.run, "detail": visit.detail, "injected": visit.injected, "why": why,
    }  # fmt: skip


def _run(run: LaneRun, facts: Mapping[str, Any]) -> dict[str, Any]:
    fail_at = inject.parse(run.injected, [o.cell for o in run.outcomes]) if run.injected else None
    outcomes = [_outcome(o, fail_at) for o in run.outcomes]
    seconds = run.seconds if run.seconds is not None else sum(o["duration"] for o in outcomes)
    return {
        "name": run.name, "target": str(run.target), "version": run.version, "why": run.why,
        "injected": run.injected, "seconds": round(seconds, 1),
        "outcomes": outcomes, "facts": dict(facts),
    }  # fmt: skip


def _outcome(outcome: Any, fail_at: tuple[str, str] | None) -> dict[str, Any]:
    data: dict[str, Any] = dataclasses.asdict(outcome)
    data["label"] = outcome.label
    failed = outcome.status is Status.FAILED
    data["injected"] = failed and injected(fail_at, outcome.stage, outcome.cell)
    data["excerpt"] = _excerpt(outcome) if outcome.status is Status.FAILED else ""
    data["beside"] = _outcome(outcome.beside, fail_at) if outcome.beside else None
    return data


def _excerpt(outcome: Any) -> str:
    """The tail of the failing check's log (the report keeps it: logs are overwritten by the
    next run)."""
    log = Path(outcome.log) if outcome.log else None
    if log is None or not log.is_file():
        return ""
    lines = log.read_text("utf-8", errors="replace").splitlines()
    return "\n".join(lines[-EXCERPT_LINES:])


def failures(data: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every failed or interrupted stage and cell, run by run: what a reader wants first."""
    bad = (str(Status.FAILED), str(Status.INTERRUPTED))
    return [(r["name"], o) for r in data["runs"] for o in r["outcomes"] if o["status"] in bad]


def crowded(data: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every cell that failed beside other cells and so ran again alone, run by run."""
    return [(r["name"], o) for r in data["runs"] for o in r["outcomes"] if o.get("beside")]


def to_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2) + "\n"


MARKS = {"passed": "✓", "failed": "✗", "skipped": "skipped", "interrupted": "interrupted"}


def visited(data: Mapping[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Per visited state, its (version, status) visits in order: what the diagram annotates."""
    found: dict[str, list[tuple[str, str]]] = {}
    for visit in data["path"]:
        found.setdefault(visit["state"], []).append((visit["version"], visit["status"]))
    return found


def annotation(visits: Sequence[tuple[str, str]]) -> str:
    """ "1.0.0rc1 ✗ · 1.0.0rc2 ✓": each visit's version and result."""
    return " · ".join(f"{version} {MARKS[status]}" for version, status in visits)


def state_status(visits: Sequence[tuple[str, str]]) -> str:
    """The colour of a state visited more than once is its last visit's result."""
    return visits[-1][1]


def taken(data: Mapping[str, Any]) -> set[tuple[str, str]]:
    return {(m["from"], m["to"]) for m in data["moves"]}


def pushed(facts: Mapping[str, Any]) -> list[Any]:
    """What the stages that push images published, as a lane's facts keep it."""
    return [p for s in doing(Job.PUSH) for p in facts.get(s.name) or []]
