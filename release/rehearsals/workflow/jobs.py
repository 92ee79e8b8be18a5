"""What the rehearsal reads of a workflow file and what act said of its jobs (pure).

act prints one JSON object per line (`--json`): each names its job (`jobID`), the matrix cell
(`matrix`), and a step's result (`stepResult`) or the job's (`jobResult`). A job act never
started (its `if:` was false, or a job it needs failed or was skipped) prints nothing; GitHub
calls it skipped, and so does the report, with the reason GitHub would show.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml

from release.core.errors import ConfigError
from release.core.text import plain

PASSED, FAILED, SKIPPED = "success", "failure", "skipped"
_ROW = re.compile(r"^\| \S+ \| [^|]+ \| [\d.]+ s \| (.*) \|$")  # a job summary's stage row


@dataclass(frozen=True)
class Job:
    """A job of the workflow file, as far as the report needs it."""

    id: str
    needs: tuple[str, ...] = ()
    condition: str = ""  # its `if:` ("" when it has none)
    environment: str = ""  # the GitHub environment it runs in
    permissions: Mapping[str, str] = field(default_factory=dict)


@dataclass
class JobRun:
    """One job, or one matrix cell of it, as act ran it (or did not)."""

    job: str
    cell: str = ""  # the matrix values, "3.12"; "" for a job without a matrix
    status: str = SKIPPED
    started: str = ""  # act's timestamps (ISO 8601)
    ended: str = ""
    why: str = ""  # for a skipped job: the reason GitHub would give
    finished: bool = False  # act said the job (cell) ended
    failed_step: str = ""
    lines: list[str] = field(default_factory=list)  # what its steps printed
    summary: list[str] = field(default_factory=list)  # what it wrote to $GITHUB_STEP_SUMMARY

    @property
    def name(self) -> str:
        return f"{self.job} ({self.cell})" if self.cell else self.job

    @property
    def note(self) -> str:
        """The reason column of the stage's row in the job's summary: what the command noted
        (an upload's credential and attestations; a failure's reason)."""
        for text in self.summary:
            for line in text.splitlines():
                found = _ROW.match(line)
                if found and found.group(1).strip():
                    return found.group(1).strip()
        return ""

    @property
    def reproduce(self) -> str:
        """The local command that runs what the job ran (each job is one nox session); none
        when a step before that session failed (an action's: setup-python lacking a version)."""
        if self.failed_step and not self.failed_step.startswith("nox -s"):
            return f"(none: it failed at step {self.failed_step}, before its nox session)"
        if self.job == "plan":
            return "nox -s plan -- --json --check-workflow"  # what the plan job runs
        if self.failed_step:  # its step's name is the session ("nox -s validate_rc-PY"), which
            return self.failed_step.replace("-PY", f"-{self.cell}")  # need not be the job's
        return f"nox -s {self.job}-{self.cell}" if self.cell else f"nox -s {self.job}"

    @property
    def seconds(self) -> float:
        if not (self.started and self.ended):
            return 0.0
        return (_when(self.ended) - _when(self.started)).total_seconds()


def read_jobs(text: str, where: str) -> list[Job]:
    """The workflow's jobs in file order; a ConfigError when it is not a workflow."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where} is not YAML: {exc}", hint=_REGENERATE) from None
    jobs = data.get("jobs") if isinstance(data, dict) else None
    if not isinstance(jobs, dict) or not jobs:
        raise ConfigError(f"{where} declares no jobs", hint=_REGENERATE)
    return [_job(name, body) for name, body in jobs.items() if isinstance(body, dict)]


_REGENERATE = "write it with `staged-release workflow`"


def _job(name: str, body: Mapping[str, Any]) -> Job:
    needs = body.get("needs") or ()
    environment = body.get("environment") or ""
    if isinstance(environment, dict):
        environment = environment.get("name", "")
    permissions = body.get("permissions")
    return Job(
        str(name),
        (needs,) if isinstance(needs, str) else tuple(map(str, needs)),
        str(body.get("if") or ""),
        str(environment),
        {str(k): str(v) for k, v in permissions.items()} if isinstance(permissions, dict) else {},
    )


def parse_events(lines: Iterable[str]) -> list[JobRun]:
    """The jobs act ran, in the order they started, from its `--json` lines."""
    runs: dict[tuple[str, str], JobRun] = {}
    for line in lines:
        entry = _entry(line)
        job = entry.get("jobID")
        if not isinstance(job, str) or not job:
            continue
        key = (job, _cell(entry.get("matrix")))
        run = runs.setdefault(key, JobRun(job, key[1], PASSED, str(entry.get("time", ""))))
        _absorb(run, entry)
    return list(runs.values())


def _entry(line: str) -> dict[str, Any]:
    try:
        entry = json.loads(line)
    except ValueError:
        return {}
    return entry if isinstance(entry, dict) else {}


def _cell(matrix: object) -> str:
    if not isinstance(matrix, dict) or not matrix:
        return ""
    return ", ".join(str(value) for value in matrix.values())


_SUMMARY = "Summary - "
_ANNOTATIONS = ("error", "warning", "notice")


def _absorb(run: JobRun, entry: Mapping[str, Any]) -> None:
    run.ended = str(entry.get("time", run.ended))
    run.finished = run.finished or "jobResult" in entry
    message = str(entry.get("msg", ""))
    if entry.get("raw_output"):
        run.lines.append(_shown(message))
    elif entry.get("command") in _ANNOTATIONS:  # ::error:: and kin: act shows, not prints, them
        run.lines.append(f"{entry['command']}: {entry.get('arg', '')}".rstrip())
    elif _SUMMARY in message:
        run.summary.append(message.split(_SUMMARY, 1)[1].rstrip("\n"))
    # A cell's own steps decide its result: act reports the job's result (all its cells) on
    # every cell's closing line.
    if entry.get("stepResult") == FAILED and not run.failed_step:
        run.status, run.failed_step = FAILED, str(entry.get("step", ""))


def _shown(message: str) -> str:
    """What a terminal shows of a printed line: act runs steps on a terminal, so tools colour
    their output and redraw progress bars in place (`\r`); of those only the last drawing."""
    return plain(message).rstrip("\n").removesuffix("\r").rsplit("\r", 1)[-1]


def complete(jobs: Sequence[Job], ran: Sequence[JobRun]) -> list[JobRun]:
    """Every job of the workflow in file order: act's runs, and the jobs it never started as
    skipped, each with the reason GitHub would show."""
    by_job: dict[str, list[JobRun]] = {}
    for run in ran:
        by_job.setdefault(run.job, []).append(run)
    results: list[JobRun] = []
    for job in jobs:
        runs = sorted(by_job.get(job.id, []), key=lambda r: r.cell)
        results += runs or [JobRun(job.id, why=_why_skipped(job, by_job))]
        by_job[job.id] = runs or [results[-1]]
    return results


def _why_skipped(job: Job, seen: Mapping[str, Sequence[JobRun]]) -> str:
    for need in job.needs:
        statuses = {run.status for run in seen.get(need, ())}
        if FAILED in statuses:
            return f"needs {need}, which failed"
        if not statuses or statuses == {SKIPPED}:
            return f"needs {need}, which was skipped"
    if job.condition:
        return f"its condition was false: {job.condition}"
    return "act did not start it (the run stopped before it)"


def verdict(results: Sequence[JobRun]) -> bool:
    """Green when no job failed (skipped jobs are not failures, as on GitHub)."""
    return all(run.status != FAILED for run in results)


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)  # act's "...Z" is UTC, which 3.11 reads
