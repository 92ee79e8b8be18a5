"""What the report keeps of an event's act run (its jobs, each with its log and the local command
that reproduces it) and of trusted publishing's exchanges."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from release.rehearsals.workflow import jobs
from release.rehearsals.workflow.events import Event
from release.rehearsals.workflow.trusted import Record


def exchanges(record: Record) -> list[dict[str, Any]]:
    """The report's rows of trusted publishing: who asked, what the index said."""
    return [
        {"index": e.index or "(CI)", "job": e.job, "kind": e.kind, "outcome": e.outcome,
         "detail": e.reason or ", ".join(e.files) or _claims(e.claims)}
        for e in record.entries()
    ]  # fmt: skip


def _claims(claims: Mapping[str, str]) -> str:
    shown = ("repository", "environment", "job_workflow_ref")
    return ", ".join(f"{name}={claims[name]}" for name in shown if claims.get(name))


def event_entry(
    number: int, event: Event, folder: Path, code: int, seconds: float, listed: Sequence[jobs.Job]
) -> dict[str, Any]:
    """One event's part of the report, read from act's log in `folder`; each job's own log
    written beside it."""
    lines = (folder / "act.log").read_text("utf-8", errors="replace").splitlines()
    ran = jobs.complete(listed, jobs.parse_events(lines))
    entries = [_job_entry(run, folder / "jobs") for run in ran]
    return {
        "number": number, "label": event.label, "event": event.act_name, "tag": event.tag,
        "sha": event.sha, "passed": code == 0 and jobs.verdict(ran), "act_exit": code,
        "seconds": seconds, "jobs": entries, "log": str(folder / "act.log"),
    }  # fmt: skip


def _job_entry(run: jobs.JobRun, logs: Path) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "job": run.job, "cell": run.cell, "name": run.name, "status": run.status,
        "seconds": run.seconds, "why": run.why, "failed_step": run.failed_step,
        "summary": run.summary, "note": run.note, "reproduce": run.reproduce,
    }  # fmt: skip
    if run.status != jobs.SKIPPED:
        logs.mkdir(parents=True, exist_ok=True)
        log = logs / f"{run.job}{'-' + run.cell if run.cell else ''}.log"
        log.write_text("\n".join(run.lines) + "\n", "utf-8")
        entry["log"] = str(log)
        entry["tail"] = run.lines[-25:]
    return entry
