"""`staged-release workflow`: write the release workflow the stage table gives, or (--check)
say how the committed one differs. Hand edits are drift: the file is regenerated, never merged."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from release.config.images import registry_note
from release.config.project import Config, load_config
from release.core.errors import ConfigError, UsageError, WorkflowDrift
from release.github.workflow import PATH, drift, facts_of, job_names, release_workflow


def cmd_workflow(args: argparse.Namespace) -> int:
    config = load_config(args.project)
    path = args.output or config.root / PATH
    facts = facts_of(config)
    if not args.check:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(release_workflow(facts), encoding="utf-8")
        print(f"wrote {path}: jobs {', '.join(job_names(facts))}")
        if note := registry_note(config.settings.images):
            print(note)
        return 0
    check_drift(config, path)
    print(f"ok: {path} is what the stage table generates")
    return 0


def check_drift(config: Config, path: Path | None = None) -> None:
    """WorkflowDrift, carrying the diff, when the workflow file is not what this staged-release
    generates from the project's settings (`workflow --check`, and `plan --check-workflow` in
    the workflow's own plan job). The diff goes to stdout first: the job's log shows it, and the
    job summary too (the error carries it)."""
    path = path or config.root / PATH
    if not path.is_file():
        raise ConfigError(f"{path} does not exist", hint="write it with `staged-release workflow`")
    diff = drift(path.read_text(encoding="utf-8"), release_workflow(facts_of(config)), str(path))
    if diff:
        sys.stdout.write(diff)
        sys.stdout.flush()
        raise WorkflowDrift(
            f"{path.name} differs from what this staged-release generates from the project's "
            f"settings: a hand edit or a stale file ({_changed(diff)})",
            hint="run `staged-release workflow` to write it anew, and commit it",
            diff=diff,
        )


def _changed(diff: str) -> str:
    lines = diff.splitlines()[2:]  # after the ---/+++ header
    removed = sum(1 for line in lines if line.startswith("-"))
    added = sum(1 for line in lines if line.startswith("+"))
    return f"{removed} line(s) removed, {added} added; the diff is printed above"


def cmd_github_release(args: argparse.Namespace) -> int:
    """The tag's GitHub Release, at the end of the PyPI lane (the `github_release` job), or
    its pre-release at the end of an rc lane (`github_prerelease`, when the settings ask)."""
    import os

    from release.config.project import STATE_DIR
    from release.github.releases import publish

    config = load_config(args.project)
    dist = args.dist or config.root / "dist"
    done = publish(config, dist, config.root / STATE_DIR, os.environ, args.progress)
    print(f"released {done['url']}: {', '.join(done['assets'])}")
    return 0


def cmd_rehearse_workflow(args: argparse.Namespace) -> int:
    """`rehearse --workflow`: the project's release.yml under act, on running stand-ins."""
    from release.context import STATE_DIR
    from release.rehearsals.workflow import report
    from release.rehearsals.workflow.run import WorkflowPlan, rehearse_workflow
    from release.rehearsals.workflow.stand_ins import Credentials

    if args.lane or args.post_fix:
        raise UsageError(
            "--workflow runs the workflow's own lanes: it takes no lane and no --post-fix",
            hint="run `staged-release rehearse --workflow` (add --event to send one event)",
        )
    _check_event_options(args)
    project = args.project.resolve()
    folder = args.report_dir or project / STATE_DIR / "workflow-report"
    plan = WorkflowPlan(
        project, tuple(args.event or ()), tuple(args.input or ()), args.fail_at, args.tag,
        credentials=Credentials(
            args.token_lifetime, args.clock_step, tuple(args.no_publisher or ())
        ),
        keep_going=args.keep_going,
    )  # fmt: skip
    data = rehearse_workflow(plan, args.progress)
    for event in data["events"]:
        print(f"{event['label']}: {'passed' if event['passed'] else 'failed'} "
              f"({event['seconds']:.0f} s)")  # fmt: skip
        for job in event["jobs"]:
            detail = job["why"] or f"{job['seconds']:.1f} s"
            print(f"  {job['name']:<28} {job['status']:<8} {detail}")
    for event, job in report.failures(data):
        print(f"failed ({event['label']}): {job['name']}; log: {job.get('log')}; "
              f"reproduce: {job['reproduce']}")  # fmt: skip
    for rule in data["audit"]:
        print(f"{'ok' if rule['ok'] else 'FAILED'}: {rule['rule']} ({rule['detail']})")
    for release in data["github"]["releases"]:
        assets = ", ".join(asset["name"] for asset in release["assets"])
        print(f"GitHub Release {release['tag_name']}: {assets or 'no assets'}")
    report.write(folder, data)
    print(f"report: {folder / 'report.html'}")
    return int(data["exit_code"])


def _check_event_options(args: argparse.Namespace) -> None:
    """Options that only go with a named event are refused without it, not silently dropped."""
    if args.input and "workflow_dispatch" not in (args.event or ()):
        raise UsageError(
            "--input is an input of a workflow_dispatch event, and none is sent",
            hint="add --event workflow_dispatch",
        )
    if args.tag and not args.event:
        raise UsageError(
            "--tag names the tag of the events --event sends; with no --event the rehearsal "
            "tags the rc and the final itself, from the version at HEAD",
            hint="add --event push (or release, workflow_dispatch), or leave --tag out",
        )
