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
import secrets
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from release.config.project import Config, load_config
from release.context import STATE_DIR, claim
from release.core import git
from release.core.errors import ConfigError, UsageError
from release.core.progress import Progress
from release.index.profiles import RELEASE, STAGING
from release.lanes import inject
from release.lanes.entry import release_version
from release.lanes.stages import STAGES
from release.lanes.workflow import PATH as WORKFLOW
from release.rehearse_workflow import _act, audit, jobs, results, scratch, stand_ins
from release.rehearse_workflow.events import Event, Kind, Repository, payload
from release.rehearse_workflow.stand_ins import Credentials
from release.rehearse_workflow.trusted import LIFETIME, IndexFront, Publisher, Workflow
from release.validation import interpreters
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
    credentials: Credentials = field(default_factory=Credentials)


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
    fail_at: tuple[str, str] | None  # --fail-at, parsed: (stage, cell)
    events: list[dict[str, Any]] = field(default_factory=list)


def rehearse_workflow(plan: WorkflowPlan, progress: Progress) -> dict[str, Any]:
    """Every event through act; the report's data, its exit code inside."""
    started = time.monotonic()
    session = _prepare(plan, progress)
    timing = plan.credentials
    wanted = stand_ins.Wanted(
        _has_docker(session.job_list), *_trusted(session),
        lifetime=timing.lifetime or LIFETIME, clock_step=timing.clock_step or 0.0,
    )  # fmt: skip
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
        "exchanges": results.exchanges(found.record),
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
    fail_at = _check_fail_at(plan, config)
    _warn_missing_pythons(config, progress)
    if plan.events:  # before anything starts: a missing tag is bad input, not a failed run
        _head_tag(plan)
    home = claim(plan.project / STATE_DIR) / HOME
    shutil.rmtree(home, ignore_errors=True)
    repository = Repository(plan.owner, config.name)
    repo = scratch.make(plan.project, home / "repo", repository)
    return _Session(plan, config, home, repo, repo / WORKFLOW, job_list, served, repository,
                    progress, fail_at)  # fmt: skip


def _warn_missing_pythons(config: Config, progress: Progress) -> None:
    """On GitHub setup-python downloads any Python; here a job asking for one this machine lacks
    fails as setup-python would without it. Say so before anything runs."""
    missing = [p for p in config.pythons if p not in interpreters.installed([p], os.environ)]
    if missing:
        progress(
            f"warning: this machine has no Python {', '.join(missing)}, which the workflow's "
            "setup-python steps ask for: those jobs will fail here (as setup-python without a "
            f"download would); install them (pyenv install {missing[0]}) or narrow "
            "[tool.staged-release] pythons"
        )


def _check_fail_at(plan: WorkflowPlan, config: Config) -> tuple[str, str] | None:
    """--fail-at's stage and cell; a UsageError unless it names a cell (a per-Python stage)."""
    if plan.fail_at is None:
        return None
    stage, cell = inject.parse(plan.fail_at, config.pythons)
    if not STAGES[stage].per_python:
        cells = ", ".join(name for name, s in STAGES.items() if s.per_python)
        raise UsageError(
            f"--fail-at {plan.fail_at}: under --workflow a failure is injected into a cell",
            hint=f"name a per-Python stage: {cells}",
        )
    return stage, cell


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
    publisher = {role: Publisher(session.repository.full_name, WORKFLOW.name, role)
                 for role in (STAGING, RELEASE)}  # fmt: skip
    fronts = tuple(
        IndexFront(role, None, f"pypi-{secrets.token_urlsafe(24)}")  # a token secret instead
        if role in session.plan.credentials.no_publisher
        else IndexFront(role, publisher[role])
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
    tag = _head_tag(session.plan)
    sha = scratch.tag(session.repo, tag)
    yield from (_named(kind, tag, sha, session) for kind in named)


def _rc_then_final(session: _Session) -> Iterator[Event]:
    project = session.plan.project
    base = release_version(session.config, _head_tag_or_none(project), project).base
    yield _tagged(session, parse_version(f"{base}rc1"))
    yield _tagged(session, parse_version(str(base)))


def _tagged(session: _Session, version: ReleaseVersion) -> Event:
    if session.config.version is not None:  # written (pyproject.toml or the backend's version
        # file, as this commit of the scratch repository holds it) and committed first
        held = load_config(session.repo).held
        set_copy(session.repo, session.config.name, str(version), held)
        scratch.commit(session.repo, f"release {version}")
    return Event(Kind.PUSH, version.tag, scratch.tag(session.repo, version.tag))


def _head_tag_or_none(project: Path) -> str | None:
    tags = git.tags_at_head(project)
    return tags[0] if tags else None


def _head_tag(plan: WorkflowPlan) -> str:
    """The tag the named events send: --tag (made in the scratch repository only), else the
    project's tag at HEAD."""
    tag = plan.tag or _head_tag_or_none(plan.project)
    if tag is None:
        raise UsageError(
            f"--event {plan.events[0]} sends the tag at HEAD, and HEAD has none",
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
    env = stand_ins.job_environment(
        found, session.home / "tools", session.repo, folder, session.fail_at
    )
    code = _act.run(_act.program(), _invocation(session, event, folder), env,
                    folder / "act.log", session.progress)  # fmt: skip
    scratch.back_to_branch(session.repo, session.repository.default_branch)
    seconds = time.monotonic() - started
    outcome = results.event_entry(number, event, folder, code, seconds, session.job_list)
    session.events.append(outcome)
    return outcome


def _invocation(session: _Session, event: Event, folder: Path) -> _act.Invocation:
    body = payload(event, session.repository, ACTOR)
    (folder / "event.json").write_text(json.dumps(body, indent=2), "utf-8")
    return _act.Invocation(
        event.act_name, folder / "event.json", session.workflow, session.repo,
        folder / "act-cache", session.actions, ACTOR,
    )  # fmt: skip
