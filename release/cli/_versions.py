"""The commands about versions: check, plan, next and bump. They start quickly: nothing here
imports twine, httpx or devpi until an index must be read."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from packaging.version import Version

from release.cli.arguments import KINDS
from release.config.project import Config, load_config, version_sources
from release.core import git
from release.core.errors import IndexUnavailable, UsageError
from release.github import at_plan
from release.github import events as github
from release.index import profiles as indexes
from release.pipeline.plan import Event, Plan, make_plan
from release.versioning.check import (
    current_version,
    pick_head_tag,
)
from release.versioning.consumed import consumed
from release.versioning.fixforward import (
    ensure_unconsumed,
    next_version,
    parse_base,
    parse_consumed,
)
from release.versioning.held import plain
from release.versioning.versions import Kind, ReleaseVersion, parse_version, strip_ref


def cmd_plan(args: argparse.Namespace) -> int:
    trigger = github.read_trigger(os.environ, _trigger_flags(args))
    config = load_config(args.project)
    if args.check_workflow:  # the workflow's own plan job: drift stops the run here
        from release.cli._workflow import check_drift

        check_drift(config)
    skipped = at_plan.carried(trigger, os.environ)  # on GitHub: one lane run per tag
    if skipped:
        fields = {"target": "", "tag": strip_ref(trigger.ref or ""), "skipped": skipped,
                  "pythons": list(config.pythons), "stages": []}  # fmt: skip
        return _planned(args, fields, skipped, skipped)
    head = pick_head_tag(git.tags_at_head(config.root)) if trigger.event is Event.LOCAL else None
    tagged = consumed(git.tags(config.root))  # tags only: plan must not wait on an index
    plan = make_plan(trigger, version_sources(config, None, None), config.pythons, head, tagged)
    # on GitHub, before any build: a final's green rc lane, a post's final
    noted = at_plan.green(plan, config, git.tags(config.root), os.environ, args.progress)
    return _planned(args, plan.as_dict(), _summary(plan), noted)


def _planned(args: argparse.Namespace, fields: dict[str, Any], text: str, noted: str) -> int:
    """Every later job's `if:` reads the outputs (no target: none runs); the job summary's
    reason column shows `noted`."""
    args.noted = noted
    if "GITHUB_OUTPUT" in os.environ:
        github.write_outputs(Path(os.environ["GITHUB_OUTPUT"]), fields)
    print(json.dumps(fields, indent=2) if args.json else text)
    return 0


def cmd_next(args: argparse.Namespace) -> int:
    config = load_config(args.project)
    print(_next(config, Kind(args.kind), args))
    return 0


def cmd_bump(args: argparse.Namespace) -> int:
    config = _written_config(args.project)
    if args.tag and config.version is not None:
        raise UsageError(
            f"--tag creates the tag that is a version read from git tags, and {config.name}'s "
            f"version is written in {config.origin}",
            hint=f"bump without --tag, commit {config.origin} and uv.lock, then tag that commit",
        )
    if args.target in KINDS:
        version = _next(config, Kind(args.target), args)
    else:
        version = parse_version(args.target, where="the requested version")
        ensure_unconsumed(version, _consumed(config, args))
    if config.version is None:  # the tag is the version: there is nothing to write
        print(_bump_tag(config, version, create=args.tag))
        return 0
    _write(config, version)
    print(f"bumped {config.name} {config.version} -> {version} ({config.origin}, uv.lock)")
    return 0


def _written_config(project: Path) -> Config:
    """The project's configuration; a version its backend reads from a file must be written
    there as a plain string, which check compares and bump writes (ComputedVersion if not)."""
    config = load_config(project)
    if config.held is not None:
        plain(config.held)
    return config


def _write(config: Config, version: ReleaseVersion) -> None:
    from release.versioning.bump import bump, bump_held

    if config.held is None:
        bump(config.root, version)
    else:
        bump_held(config.root, config.held, version, lambda: load_config(config.root).version)


def _bump_tag(config: Config, version: ReleaseVersion, *, create: bool) -> str:
    """The bump of a dynamic version: its tag, created at HEAD with --tag, else to create."""
    from release.versioning.bump import tag_head

    command = f"git tag {version.tag}"
    if not create:
        return f"{config.name} {version}: the version is the git tag, nothing written; {command}"
    tag_head(config.root, version)
    return f"tagged HEAD {version.tag} ({config.name} {version}); push the tag to start its lane"


def _next(config: Config, kind: Kind, args: argparse.Namespace) -> ReleaseVersion:
    base = (
        parse_base(args.base)
        if args.base
        else current_version(config.name, config.version, config.root, config.origin).base
    )
    return next_version(kind, base, _consumed(config, args))


def _consumed(config: Config, args: argparse.Namespace) -> frozenset[Version]:
    """Git tags, --consumed and what TestPyPI and PyPI list: whatever any of them has seen is
    never handed out again (an upload whose tag was deleted still counts)."""
    given = parse_consumed(args.consumed)  # bad input stops us before any index is read
    if not args.offline:
        return given | _from_indexes(config, args)
    # Printed even under -q: the answer may name a version an index already holds.
    print(
        "note: --offline: only git tags (and --consumed) were counted; the indexes were not read",
        file=sys.stderr,
    )
    return consumed(git.tags(config.root), given=given)


def _from_indexes(config: Config, args: argparse.Namespace) -> frozenset[Version]:
    from release.context import Options, consumed_versions, open_run

    # Only the publishing indexes are read: no local dependency index needs to start.
    options = Options(indexes.read_mode(args.indexes, os.environ), indexes.RELEASE)
    try:
        with open_run(config, options, args.progress) as run:
            return consumed_versions(run, config.name)
    except IndexUnavailable as exc:  # never a silent fallback to tags only
        hint = f"{exc.hint or 're-run later'}; or pass --offline to count only git tags"
        raise IndexUnavailable(exc.message, hint=f"{hint} (and --consumed)") from None


def _trigger_flags(args: argparse.Namespace) -> github.TriggerFlags:
    return github.TriggerFlags(
        args.event, args.ref, args.publish_target, args.source_ref, args.expected_version
    )


def _summary(plan: Plan) -> str:
    tag = plan.version.tag + ("" if plan.tag_checked else " (not tagged yet)")
    return "\n".join(
        [
            f"{plan.package} {plan.version} ({plan.version.kind}) -> {plan.target} lane",
            f"tag:     {tag}",
            f"pythons: {', '.join(plan.pythons)}",
            "stages:  " + " -> ".join(plan.stages),
        ]
    )
