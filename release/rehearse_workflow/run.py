"""`staged-release rehearse --workflow`: the project's release workflow run under act, one
event after another, on stand-ins started once and stopped after.

With no event named, it does what a maintainer does: tag the rc at HEAD and push it, then (the rc
lane green) tag the final and push that — on the same commit when the version comes from the
tag, else on the commit that sets it (a static version is written and committed, as `bump`
would). Each event's jobs, logs and results go into the report; the indexes and registry are
audited against what the `build` job made.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from release.config.project import Config, load_config
from release.context import FAIL_AT_ENV, STATE_DIR, claim
from release.core import git
from release.core.errors import ConfigError, UsageError
from release.core.progress import Progress
from release.index.profiles import RELEASE, STAGING
from release.lanes import inject
from release.lanes.entry import release_version
from release.lanes.stages import STAGES
from release.lanes.workflow import PATH as WORKFLOW
from release.rehearse_workflow import _act, audit, jobs, scratch, stand_ins
from release.rehearse_workflow.events import Event, Kind, Repository, payload
from release.rehearse_workflow.trusted import IndexFront, Publisher, Record, Workflow
from release.versioning.bump import set_copy
from release.versioning.versions import ReleaseVersion, parse_version

HOME = "workflow"  # under the state directory: the scratch repository, stand-ins, artifacts
ACTOR = "rehearsal"


@dataclass(frozen=True)
class WorkflowPlan:
    project: Path
    events: tuple[str, ...] = ()  # () = the rc tag's push, then the final's
    inputs: tuple[tuple[str, str], ...] = ()  # a dispatch's inputs
    fail_at: str | None = None
    tag: str | None = None  # the tag the named events send (default: the one at HEAD)
    owner: str = "rehearsal"  # the GitHub repository it plays: OWNER/<project name>


@dataclass
class _Session:
    plan: WorkflowPlan
    config: Config
    home: Path
    repo: Path
    workflow: Path
    job_list: list[jobs.Job]
    actions: dict[str, Path]
    repository: Repository
    progress: Progress
    events: list[dict[str, Any]] = field(default_factory=list)


def rehearse_workflow(plan: WorkflowPlan, progress: Progress) -> dict[str, Any]:
    """Every event through act; the report's data, its exit code inside."""
    started = time.monotonic()
    session = _prepare(plan, progress)
    wanted = stand_ins.Wanted(_has_docker(session.job_list), *_trusted(session))
    with stand_ins.running(session.home, wanted, progress) as found:
        for event in _events(session):
            outcome = _run_event(session, found, event)
            if not outcome["passed"]:
                break
        checked = audit.audit(session.home, found, session.config.name, session.events)
    passed = all(e["passed"] for e in session.events) and all(c["ok"] for c in checked)
    return {
        "title": f"rehearse --workflow ({WORKFLOW} under act)", "passed": passed,
        "exit_code": 0 if passed else 1, "seconds": time.monotonic() - started,
        "project": session.config.name, "workflow": str(WORKFLOW),
        "repository": session.repository.full_name, "injected": plan.fail_at or "",
        "events": session.events, "audit": checked,
        "exchanges": exchanges(found.record),
    }  # fmt: skip


def _prepare(plan: WorkflowPlan, progress: Progress) -> _Session:
    """Everything checked before anything starts: the workflow, its actions, the injection."""
    from release.rehearse_workflow import actions

    config = load_config(plan.project)
    path = plan.project / WORKFLOW
    if not path.is_file():
        raise ConfigError(f"{path} does not exist", hint="write it with `staged-release workflow`")
    text = path.read_text("utf-8")
    job_list = jobs.read_jobs(text, str(path))
    served = actions.local_repositories(text, str(path))  # refuses an action with no stand-in
    _check_fail_at(plan, config)
    home = claim(plan.project / STATE_DIR) / HOME
    shutil.rmtree(home, ignore_errors=True)
    repository = Repository(plan.owner, config.name)
    repo = scratch.make(plan.project, home / "repo", repository)
    return _Session(plan, config, home, repo, repo / WORKFLOW, job_list, served, repository,
                    progress)  # fmt: skip


def _check_fail_at(plan: WorkflowPlan, config: Config) -> None:
    if plan.fail_at is None:
        return
    stage, _ = inject.parse(plan.fail_at, config.pythons)
    if not STAGES[stage].per_python:
        cells = ", ".join(name for name, s in STAGES.items() if s.per_python)
        raise UsageError(
            f"--fail-at {plan.fail_at}: under --workflow a failure is injected into a cell",
            hint=f"name a per-Python stage: {cells}",
        )


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


def _has_docker(job_list: Sequence[jobs.Job]) -> bool:
    docker = {name for name, stage in STAGES.items() if stage.command[0] in ("e2e", "images")}
    return any(job.id in docker for job in job_list)


def _trusted(session: _Session) -> tuple[Workflow, tuple[IndexFront, ...]]:
    """What GitHub knows of the jobs, and the publishers registered on both indexes: this
    repository's release workflow, in the environment its upload job names (as the README asks
    a maintainer to register them)."""
    listed = session.job_list
    workflow = Workflow(
        WORKFLOW.name,
        {job.id: job.environment for job in listed if job.environment},
        frozenset(job.id for job in listed if job.permissions.get("id-token") == "write"),
    )
    fronts = tuple(
        IndexFront(role, Publisher(session.repository.full_name, WORKFLOW.name, role))
        for role in (STAGING, RELEASE)
    )
    return workflow, fronts


def _events(session: _Session) -> Iterator[Event]:
    """The events to send, tagging the scratch repository as a maintainer would: each tag only
    once the events before it have run (a final's tag does not exist while its rc runs)."""
    named = session.plan.events
    if not named:
        yield from _rc_then_final(session)
        return
    tag = _head_tag(session)
    sha = scratch.tag(session.repo, tag)
    yield from (_named(kind, tag, sha, session) for kind in named)


def _rc_then_final(session: _Session) -> Iterator[Event]:
    base = release_version(session.config, _head_tag_or_none(session), session.plan.project).base
    yield _tagged(session, parse_version(f"{base}rc1"))
    yield _tagged(session, parse_version(str(base)))


def _tagged(session: _Session, version: ReleaseVersion) -> Event:
    if session.config.version is not None:  # written (pyproject.toml or the backend's version
        # file, as this commit of the scratch repository holds it) and committed first
        held = load_config(session.repo).held
        set_copy(session.repo, session.config.name, str(version), held)
        scratch.commit(session.repo, f"release {version}")
    return Event(Kind.PUSH, version.tag, scratch.tag(session.repo, version.tag))


def _head_tag_or_none(session: _Session) -> str | None:
    tags = git.tags_at_head(session.plan.project)
    return tags[0] if tags else None


def _head_tag(session: _Session) -> str:
    """The tag the named events send: --tag (made in the scratch repository only), else the
    project's tag at HEAD."""
    tag = session.plan.tag or _head_tag_or_none(session)
    if tag is None:
        raise UsageError(
            f"--event {session.plan.events[0]} sends the tag at HEAD, and HEAD has none",
            hint="tag it (git tag vX.Y.Zrc1) or name one with --tag, or leave --event out to "
            "push an rc and then a final",
        )
    return tag


def _named(kind: str, tag: str, sha: str, session: _Session) -> Event:
    event = Kind(kind)
    if event is Kind.RELEASE and parse_version(tag.removeprefix("v")).kind.value == "rc":
        event = Kind.PRERELEASE  # GitHub's release of an rc is marked pre-release
    return Event(event, tag, sha, dict(session.plan.inputs))


def _run_event(session: _Session, found: stand_ins.Running, event: Event) -> dict[str, Any]:
    number = len(session.events) + 1
    folder = session.home / f"event-{number}"
    folder.mkdir(parents=True)
    session.progress.doing(f"act: {event.label}")
    scratch.check_out(session.repo, event.tag)
    started = time.monotonic()
    code = _act.run(_act.program(), _invocation(session, event, folder),
                    _job_env(session, found, folder), folder / "act.log",
                    session.progress)  # fmt: skip
    scratch.back_to_branch(session.repo, session.repository.default_branch)
    return _record(session, event, folder, code, time.monotonic() - started)


def _invocation(session: _Session, event: Event, folder: Path) -> _act.Invocation:
    body = payload(event, session.repository, ACTOR)
    (folder / "event.json").write_text(json.dumps(body, indent=2), "utf-8")
    return _act.Invocation(
        event.act_name, folder / "event.json", session.workflow, session.repo,
        folder / "act-cache", session.actions, ACTOR,
    )  # fmt: skip


# What a developer's shell may hold that a runner would not: never handed to the jobs.
_KEPT_OUT = ("VIRTUAL_ENV", "TWINE_", "PYPI_API_TOKEN", "TESTPYPI_API_TOKEN", "DOCKER_",
             "GITHUB_", "ACTIONS_", "STAGED_RELEASE_", "UV_", "NOX_", "PIP_")  # fmt: skip


def _job_env(session: _Session, found: stand_ins.Running, folder: Path) -> _act.Environment:
    """What every job inherits (act passes its own environment on to self-hosted jobs): this
    machine's, less what a runner would not have, plus the stand-ins' variables."""
    from release.rehearse_workflow import actions

    tools = session.home / "tools"
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(_KEPT_OUT)}
    path = [p for p in inherited.get("PATH", "").split(os.pathsep) if p != _own_bin()]
    env = {
        **inherited, **found.env, **actions.environment(session.repo, folder / "artifacts"),
        "PATH": os.pathsep.join([str(tools / "bin"), *path]),
        "UV_TOOL_DIR": str(tools), "UV_TOOL_BIN_DIR": str(tools / "bin"),
        "NOX_DOWNLOAD_PYTHON": "never", "UV_PYTHON_DOWNLOADS": "never",
    }  # fmt: skip
    if session.plan.fail_at:
        env[FAIL_AT_ENV] = ":".join(inject.parse(session.plan.fail_at, session.config.pythons))
    return _act.Environment(env, dict(found.secrets))


def _own_bin() -> str:
    """The suite's own environment's scripts: a runner has no such thing on its PATH."""
    return str(Path(sys.prefix) / "bin")


def _record(
    session: _Session, event: Event, folder: Path, code: int, seconds: float
) -> dict[str, Any]:
    lines = (folder / "act.log").read_text("utf-8", errors="replace").splitlines()
    results = jobs.complete(session.job_list, jobs.parse_events(lines))
    logs = folder / "jobs"
    entries = [_job_entry(run, logs) for run in results]
    passed = code == 0 and jobs.verdict(results)
    outcome = {
        "number": len(session.events) + 1, "label": event.label, "event": event.act_name,
        "tag": event.tag, "sha": event.sha, "passed": passed, "act_exit": code,
        "seconds": seconds, "jobs": entries, "log": str(folder / "act.log"),
    }  # fmt: skip
    session.events.append(outcome)
    return outcome


def _job_entry(run: jobs.JobRun, logs: Path) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "job": run.job, "cell": run.cell, "name": run.name, "status": run.status,
        "seconds": run.seconds, "why": run.why, "failed_step": run.failed_step,
        "summary": run.summary, "note": run.note, "reproduce": _reproduce(run),
    }  # fmt: skip
    if run.status != jobs.SKIPPED:
        logs.mkdir(parents=True, exist_ok=True)
        log = logs / f"{run.job}{'-' + run.cell if run.cell else ''}.log"
        log.write_text("\n".join(run.lines) + "\n", "utf-8")
        entry["log"] = str(log)
        entry["tail"] = run.lines[-25:]
    return entry


def _reproduce(run: jobs.JobRun) -> str:
    """The local command that runs what the job ran (each job is one nox session)."""
    if run.job == "plan":
        return "nox -s plan -- --json"
    return f"nox -s {run.job}-{run.cell}" if run.cell else f"nox -s {run.job}"
