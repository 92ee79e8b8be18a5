"""The `staged-release` command: the boundary that prints, and turns errors into exit codes.

Handlers only translate arguments into calls of the library. They import stage modules inside
the handler: twine, httpx, devpi, YAML and tomlkit are slow to import, and `plan` and `check`
must start quickly.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from packaging.version import Version

from release.arguments import KINDS, parser
from release.core import git, runner
from release.core.errors import (
    CheckFailed,
    ConfigError,
    Interrupted,
    ReleaseError,
    Unavailable,
    UsageError,
)
from release.core.progress import Progress
from release.index import profiles as indexes
from release.lanes import github
from release.lanes.report import CheckOutcome, CheckStatus, Status

if TYPE_CHECKING:
    from release.context import Options, Run
    from release.validation.validate import CellResult
from release.config.project import Config, load_config, read_lock_version
from release.lanes.plan import Event, Plan, make_plan
from release.versioning.check import (
    VersionSources,
    pick_head_tag,
    resolve_tag,
    tagged_version,
    verify,
)
from release.versioning.fixforward import (
    ensure_unconsumed,
    next_version,
    parse_base,
    parse_consumed,
)
from release.versioning.versions import Kind, ReleaseVersion, consumed_from_tags, parse_version

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except UsageError as exc:
        return _fail(exc.message, exc.hint, exc.exit_code)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    args.progress = Progress(quiet=args.quiet)
    runner.CANCEL.clear()  # a fresh run: nothing is cancelled yet
    for signum in SIGNALS:
        signal.signal(signum, _on_signal)
    try:
        return int(HANDLERS[args.command](args))
    except ReleaseError as exc:
        return _fail(exc.message, exc.hint, exc.exit_code)


def _fail(message: str, hint: str | None, code: int, *, word: str = "error") -> int:
    print(f"{word}: {message}", file=sys.stderr)
    if hint:
        print(f"hint: {hint}", file=sys.stderr)
    return code


def _on_signal(signum: int, frame: FrameType | None) -> None:
    """Stop the run: every command stops its process group, and the main thread unwinds
    (stopping the local servers and writing the report) from wherever it was. A second signal
    only drops the grace before SIGKILL: the cleanup under way must not be cut short."""
    if runner.cancel(signum):
        raise Interrupted(signum)


def cmd_check(args: argparse.Namespace) -> int:
    config = load_config(args.project)
    tag = resolve_tag(args.tag, os.environ, config.root)
    version = verify(_sources(config, tag, args.expected_version))
    static = config.version is not None
    agreeing = ["pyproject.toml", "uv.lock"] if static else ["uv.lock"]
    if tag:
        agreeing.append(f"tag {tag}" + ("" if static else " (the dynamic version)"))
    if args.expected_version:
        agreeing.append(f"expected {args.expected_version}")
    print(f"ok: {config.name} {version}: {', '.join(agreeing)} agree")
    if not tag:
        print("note: no tag was checked (none given, none from CI, none at HEAD)")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from release.artifacts.build import build

    config = load_config(args.project)
    if args.index:
        _preflight_credential(config, args)
    tag = resolve_tag(args.tag, os.environ, config.root)
    version = verify(_sources(config, tag, args.expected_version))
    dist = args.dist or config.root / "dist"
    built = build(config.root, dist, config.name, version, dynamic=config.version is None)
    for file in built.files:
        print(f"built {file.filename}  sha256:{file.sha256}  {file.size} bytes")
    return 0


def cmd_upload(args: argparse.Namespace) -> int:
    from release.context import open_run
    from release.upload.stage import upload

    config = _with_budget(load_config(args.project), args.wait_budget)
    with open_run(config, _options(args), args.progress) as run:
        done = upload(run, args.index, allow_final_without_rc=args.allow_final_without_rc)
    for name in done.already:
        print(f"already published (identical): {name}")
    for name in done.sent:
        print(f"uploaded: {name}")
    print(f"ok: {done.index} lists every file with the expected sha256 ({done.waited:.1f} s)")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from release.validation.validate import validate

    stage = args.stage or ("validate_rc" if args.index == indexes.STAGING else "validate_final")
    result = _cell(args, stage, lambda run: validate(run, stage, args.index, args.python))
    print(f"ok: {result.wheel} from {args.index} passes its checks on Python {args.python}")
    return 0


def cmd_candidate_checks(args: argparse.Namespace) -> int:
    from release.validation.validate import CANDIDATE, candidate_checks

    result = _cell(args, CANDIDATE, lambda run: candidate_checks(run, args.python))
    print(f"ok: {result.wheel} from dist/ passes its checks on Python {args.python}")
    return 0


def _cell(args: argparse.Namespace, stage: str, work: Callable[[Run], CellResult]) -> CellResult:
    """One validation cell, its checks printed whether it passed or not."""
    from release.context import open_run

    config = load_config(args.project)
    options = dataclasses.replace(_options(args), check_timeout=args.check_timeout)
    cell = f"{stage}-{args.python}"
    with open_run(config, options, args.progress) as run, run.progress.activity(cell):
        try:
            result = work(run)
        except CheckFailed as exc:
            _print_checks(exc.checks)
            raise
    _print_checks(result.checks)
    return result


def _print_checks(checks: Sequence[CheckOutcome]) -> None:
    for check in checks:
        detail = check.reason if check.status is CheckStatus.SKIPPED else f"{check.seconds:.1f} s"
        where = f"  log: {check.log}" if check.log else ""
        print(f"{check.status}: {check.name} ({detail}){where}")


def cmd_rehearse(args: argparse.Namespace) -> int:
    from release.context import STATE_DIR
    from release.rehearse import Rehearsal, rehearse_final, rehearse_rc

    project = args.project.resolve()
    report = args.report or project / STATE_DIR / f"rehearse-{args.lane}.json"
    plan = Rehearsal(
        project, report, args.dependency_index, args.jobs, args.check_timeout, args.tag
    )
    rehearse = rehearse_final if args.lane == "final" else rehearse_rc
    result = rehearse(plan, args.progress)
    print(result.table())
    for failed in (o for o in result.outcomes if o.hint and o.status is Status.FAILED):
        print(f"hint ({failed.label}): {failed.hint}")
    print(f"report: {report}")
    return result.exit_code


def cmd_images(args: argparse.Namespace) -> int:
    from release.context import open_run
    from release.images.stage import publish_images

    config = load_config(args.project)
    with open_run(config, _options(args), args.progress) as run:
        try:
            done = publish_images(run, after=args.after)
        except Unavailable as exc:
            _fail(exc.message, exc.hint, exc.exit_code, word="skipped")
            return exc.exit_code
    if args.json:
        print(json.dumps([dataclasses.asdict(p) for p in done], indent=2))
    for image in [] if args.json else done:
        how = "already published (identical)" if image.smoke_seconds is None else "published"
        print(f"{how}: {', '.join(image.tags)}  {image.digest}")
    return 0


def cmd_e2e(args: argparse.Namespace) -> int:
    from release.context import open_run
    from release.e2e.stage import run_e2e

    config = load_config(args.project)
    with open_run(config, _options(args), args.progress) as run:
        try:
            result = run_e2e(run, args.stage)
        except Unavailable as exc:
            return _fail(exc.message, exc.hint, exc.exit_code, word="skipped")
    for phase, seconds in result.phases().items():
        print(f"{phase}: {seconds:.1f} s")
    where = run.logs / args.stage
    print(f"ok: the {args.stage} stack passed in {result.seconds:.1f} s (logs: {where})")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from release.init import init

    for line in init(args.project.resolve(), force=args.force):
        print(line)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from release.config import schemas

    config = load_config(args.project)  # validates [tool.staged-release] against the schema
    checked = schemas.check_project(config.root)
    print(f"ok: settings schema, [tool.staged-release] and {len(checked)} workflow(s) are valid")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    trigger = github.read_trigger(os.environ, _trigger_flags(args))
    config = load_config(args.project)
    head = pick_head_tag(git.tags_at_head(config.root)) if trigger.event is Event.LOCAL else None
    tagged = consumed_from_tags(git.tags(config.root))  # tags only: plan must not wait on an index
    plan = make_plan(trigger, _sources(config, None, None), config.pythons, head, tagged)
    fields = plan.as_dict()
    if "GITHUB_OUTPUT" in os.environ:
        github.write_outputs(Path(os.environ["GITHUB_OUTPUT"]), fields)
    print(json.dumps(fields, indent=2) if args.json else _summary(plan))
    return 0


def cmd_next(args: argparse.Namespace) -> int:
    config = load_config(args.project)
    print(_next(config, Kind(args.kind), args))
    return 0


def cmd_bump(args: argparse.Namespace) -> int:
    config = load_config(args.project)
    if args.tag and config.version is not None:
        raise UsageError(
            f"--tag creates the tag that is a dynamic version, and {config.name}'s version is "
            "written in pyproject.toml",
            hint="bump without --tag, commit pyproject.toml and uv.lock, then tag that commit",
        )
    if args.target in KINDS:
        version = _next(config, Kind(args.target), args)
    else:
        version = parse_version(args.target, where="the requested version")
        ensure_unconsumed(version, _consumed(config, args))
    if config.version is None:  # the tag is the version: there is nothing to write
        print(_bump_tag(config, version, create=args.tag))
        return 0
    from release.versioning.bump import bump

    bump(config.root, version)
    print(f"bumped {config.name} {config.version} -> {version} (pyproject.toml, uv.lock)")
    return 0


def _bump_tag(config: Config, version: ReleaseVersion, *, create: bool) -> str:
    """The bump of a dynamic version: its tag, created at HEAD with --tag, else to create."""
    from release.versioning.bump import tag_head

    command = f"git tag {version.tag}"
    if not create:
        return f"{config.name} {version}: the version is the git tag, nothing written; {command}"
    tag_head(config.root, version)
    return f"tagged HEAD {version.tag} ({config.name} {version}); push the tag to start its lane"


def _next(config: Config, kind: Kind, args: argparse.Namespace) -> ReleaseVersion:
    base = parse_base(args.base) if args.base else _current(config).base
    return next_version(kind, base, _consumed(config, args))


def _current(config: Config) -> ReleaseVersion:
    """pyproject.toml's version; a dynamic one's is the tag at HEAD, else the highest tag."""
    if config.version is not None:
        return parse_version(config.version, where="pyproject.toml [project].version")
    found = tagged_version(git.tags_at_head(config.root), git.tags(config.root))
    if found is None:
        raise ConfigError(
            f"{config.name}'s version is dynamic (the git tag's), and no version tag exists yet",
            hint="pass --base X.Y.Z: the release the next version belongs to",
        )
    return found


def _options(args: argparse.Namespace) -> Options:
    from release.context import Options

    mode = indexes.read_mode(args.indexes, os.environ)
    dependency_index = args.dependency_index or os.environ.get(indexes.DEPENDENCY_INDEX_ENV)
    return Options(mode, dependency_index, args.dist)


def _preflight_credential(config: Config, args: argparse.Namespace) -> None:
    """A missing credential must stop a release before anything is built."""
    mode = indexes.read_mode(args.indexes, os.environ)
    if mode is indexes.Mode.LOCAL and args.index in (indexes.STAGING, indexes.RELEASE):
        return  # the stand-ins need none
    indexes.credentials(indexes.publishing(args.index, mode, config.settings), os.environ)


def _with_budget(config: Config, budget: float | None) -> Config:
    if budget is None:
        return config
    return dataclasses.replace(
        config, settings=dataclasses.replace(config.settings, wait_budget=budget)
    )


def _consumed(config: Config, args: argparse.Namespace) -> frozenset[Version]:
    """Git tags, --consumed and what TestPyPI and PyPI list: whatever any of them has seen is
    never handed out again (an upload whose tag was deleted still counts)."""
    given = parse_consumed(args.consumed)  # bad input stops us before any index is read
    if not args.offline:
        return given | _history(config, args)
    # Printed even under -q: the answer may name a version an index already holds.
    print(
        "note: --offline: only git tags (and --consumed) were counted; the indexes were not read",
        file=sys.stderr,
    )
    return given | consumed_from_tags(git.tags(config.root))


def _history(config: Config, args: argparse.Namespace) -> frozenset[Version]:
    from release.context import Options, open_run
    from release.core.errors import IndexUnavailable
    from release.index.history import consumed_versions

    # Only the publishing indexes are read: no local dependency index needs to start.
    options = Options(indexes.read_mode(args.indexes, os.environ), indexes.RELEASE)
    try:
        with open_run(config, options, args.progress) as run:
            return consumed_versions(run, config.name)
    except IndexUnavailable as exc:  # never a silent fallback to tags only
        hint = f"{exc.hint or 're-run later'}; or pass --offline to count only git tags"
        raise IndexUnavailable(exc.message, hint=f"{hint} (and --consumed)") from None


def _sources(config: Config, tag: str | None, expected: str | None) -> VersionSources:
    lock = read_lock_version(config.root, config.name)
    return VersionSources(config.name, config.version, lock, tag, expected)


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


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": cmd_check,
    "plan": cmd_plan,
    "next": cmd_next,
    "bump": cmd_bump,
    "build": cmd_build,
    "upload": cmd_upload,
    "validate": cmd_validate,
    "rehearse": cmd_rehearse,
    "schema": cmd_schema,
    "init": cmd_init,
    "images": cmd_images,
    "candidate-checks": cmd_candidate_checks,
    "e2e": cmd_e2e,
}
