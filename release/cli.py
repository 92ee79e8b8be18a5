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
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from packaging.version import Version

from release import git, github, indexes, runner
from release.errors import CheckFailed, Interrupted, ReleaseError, UsageError
from release.outcomes import CheckOutcome, CheckStatus
from release.progress import Progress

if TYPE_CHECKING:
    from release.context import Options
from release.fixforward import ensure_unconsumed, next_version, parse_base, parse_consumed
from release.lanes import Event, Plan, make_plan
from release.project import Config, load_config, read_lock_version
from release.version_check import VersionSources, pick_head_tag, resolve_tag, verify
from release.versions import Kind, ReleaseVersion, consumed_from_tags, parse_version

KINDS = [k.value for k in Kind]


SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
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
        return int(args.handler(args))
    except ReleaseError as exc:
        return _fail(exc.message, exc.hint, exc.exit_code)


def _fail(message: str, hint: str | None, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
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
    agreeing = ["pyproject.toml", "uv.lock"]
    if tag:
        agreeing.append(f"tag {tag}")
    if args.expected_version:
        agreeing.append(f"expected {args.expected_version}")
    print(f"ok: {config.name} {version}: {', '.join(agreeing)} agree")
    if not tag:
        print("note: no tag was checked (none given, none from CI, none at HEAD)")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from release.build import build

    config = load_config(args.project)
    if args.index:
        _preflight_credential(config, args)
    tag = resolve_tag(args.tag, os.environ, config.root)
    version = verify(_sources(config, tag, args.expected_version))
    built = build(config.root, args.dist or config.root / "dist", config.name, version)
    for file in built.files:
        print(f"built {file.filename}  sha256:{file.sha256}  {file.size} bytes")
    return 0


def cmd_upload(args: argparse.Namespace) -> int:
    from release.context import open_run
    from release.upload import upload

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
    from release.context import open_run
    from release.validate import validate

    config = load_config(args.project)
    stage = args.stage or ("validate_rc" if args.index == indexes.STAGING else "validate_final")
    options = dataclasses.replace(_options(args), check_timeout=args.check_timeout)
    cell = f"{stage}-{args.python}"
    with open_run(config, options, args.progress) as run, run.progress.activity(cell):
        try:
            result = validate(run, stage, args.index, args.python)
        except CheckFailed as exc:
            _print_checks(exc.checks)
            raise
    _print_checks(result.checks)
    print(f"ok: {result.wheel} from {args.index} passes its checks on Python {args.python}")
    return 0


def _print_checks(checks: Sequence[CheckOutcome]) -> None:
    for check in checks:
        detail = check.reason if check.status is CheckStatus.SKIPPED else f"{check.seconds:.1f} s"
        where = f"  log: {check.log}" if check.log else ""
        print(f"{check.status}: {check.name} ({detail}){where}")


def cmd_rehearse(args: argparse.Namespace) -> int:
    from release.context import STATE_DIR
    from release.rehearse import Rehearsal, rehearse_rc

    project = args.project.resolve()
    report = args.report or project / STATE_DIR / "rehearse-rc.json"
    plan = Rehearsal(project, report, args.dependency_index, args.jobs, args.check_timeout)
    result = rehearse_rc(plan, args.progress)
    print(result.table())
    print(f"report: {report}")
    return result.exit_code


def cmd_schema(args: argparse.Namespace) -> int:
    from release import schemas

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
    if args.target in KINDS:
        version = _next(config, Kind(args.target), args)
    else:
        version = parse_version(args.target, where="the requested version")
        ensure_unconsumed(version, _consumed(config, args))
    from release.bump import bump

    bump(config.root, version)
    print(f"bumped {config.name} {config.version} -> {version} (pyproject.toml, uv.lock)")
    return 0


def _next(config: Config, kind: Kind, args: argparse.Namespace) -> ReleaseVersion:
    base = parse_base(args.base) if args.base else _current(config).base
    return next_version(kind, base, _consumed(config, args))


def _current(config: Config) -> ReleaseVersion:
    return parse_version(config.version, where="pyproject.toml [project].version")


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
    from release.errors import IndexUnavailable
    from release.history import consumed_versions

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


class _Parser(argparse.ArgumentParser):
    """argparse that refuses empty values and reports like every other error: one line, exit 2.

    An empty value is never "not given": `--tag "$TAG"` with TAG unset must not skip the check.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("type", None, _given)  # the type of every option that names none

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, hint=f"see `{self.prog} --help`")


def _given(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("an empty value is not allowed; give one or leave it out")
    return value


def _path(value: str) -> Path:
    return Path(_given(value))


def _seconds(value: str) -> float:
    try:
        seconds = float(_given(value))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of seconds")
    return seconds


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="staged-release", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log every command run")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    parser.register("type", None, str)  # it hands a command's arguments to the command as given
    sub = parser.add_subparsers(dest="command", required=True)
    project = _Parser(add_help=False)
    project.add_argument("--project", type=_path, default=Path(), help="project root (default .)")
    # -v and -q also after the subcommand; SUPPRESS keeps them from resetting one given before.
    project.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS)
    project.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS)

    check = sub.add_parser("check", parents=[project], help="check that the versions agree")
    check.add_argument("--tag", help="tag to check (default: CI tag, else the tag at HEAD)")
    check.add_argument("--expected-version", help="the version the caller expects")
    check.set_defaults(handler=cmd_check)

    plan = sub.add_parser("plan", parents=[project], help="choose the lane for this trigger")
    plan.add_argument("--json", action="store_true", help="print one JSON object")
    plan.add_argument("--event", help="push, release, workflow_dispatch or local")
    plan.add_argument("--ref", help="the ref that triggered the run (refs/tags/v1.2.3 or v1.2.3)")
    plan.add_argument("--publish-target", help="testpypi or pypi (workflow_dispatch only)")
    plan.add_argument("--source-ref", help="the ref a dispatch releases")
    plan.add_argument("--expected-version", help="the version the dispatcher expects")
    plan.set_defaults(handler=cmd_plan)

    consumed = _Parser(add_help=False, parents=[project])
    consumed.add_argument("--base", help="X.Y.Z to bump within (default: the current version's)")
    consumed.add_argument(
        "--consumed", action="append", default=[], metavar="V", help="a version seen elsewhere"
    )
    read = consumed.add_mutually_exclusive_group()
    read.add_argument(
        "--offline", action="store_true", help="count git tags only; do not read the indexes"
    )
    read.add_argument(
        "--indexes", help=f"public (default) or local: read the stand-ins ({indexes.MODE_ENV})"
    )
    nxt = sub.add_parser("next", parents=[consumed], help="print the next free version")
    nxt.add_argument("kind", choices=KINDS)
    nxt.set_defaults(handler=cmd_next)

    bump = sub.add_parser("bump", parents=[consumed], help="write the next version and lock")
    bump.add_argument("target", metavar="{rc,final,post,VERSION}")
    bump.set_defaults(handler=cmd_bump)

    where = _Parser(add_help=False, parents=[project])
    where.add_argument("--dist", type=_path, help="where the build is (default: PROJECT/dist)")
    where.add_argument(
        "--indexes", help=f"public (default) or local: the stand-ins ({indexes.MODE_ENV})"
    )
    where.add_argument(
        "--dependency-index",
        help=f"trusted index for dependencies ({indexes.DEPENDENCY_INDEX_ENV})",
    )

    build = sub.add_parser(
        "build", parents=[where], help="build sdist and wheel once, with a manifest"
    )
    build.add_argument("--tag", help="tag to check (default: CI tag, else the tag at HEAD)")
    build.add_argument("--expected-version", help="the version the caller expects")
    build.add_argument("--index", help="check the credential for this index before building")
    build.set_defaults(handler=cmd_build)

    upload = sub.add_parser("upload", parents=[where], help="upload what the index lacks")
    upload.add_argument("--index", required=True, help="testpypi, pypi or a configured index")
    upload.add_argument("--wait-budget", type=_seconds, help="seconds to wait for the listing")
    upload.add_argument(
        "--allow-final-without-rc", action="store_true", help="publish a final with no rc (loudly)"
    )
    upload.set_defaults(handler=cmd_upload)

    validate = sub.add_parser("validate", parents=[where], help="reinstall from an index and check")
    validate.add_argument("--index", default=indexes.STAGING, help="testpypi (default) or pypi")
    validate.add_argument("--python", required=True, help="X.Y")
    validate.add_argument(
        "--stage", help="cell directory name (default validate_rc/validate_final)"
    )
    validate.add_argument("--check-timeout", type=_seconds, help=_CHECK_TIMEOUT)
    validate.set_defaults(handler=cmd_validate)

    rehearse = sub.add_parser(
        "rehearse", parents=[project], help="rehearse a lane on local indexes"
    )
    rehearse.add_argument("lane", choices=["rc"])
    rehearse.add_argument(
        "--report", type=_path, help="JSON report (default under .staged-release/)"
    )
    rehearse.add_argument("--jobs", type=_count, default=2, help="validation cells run at once")
    rehearse.add_argument("--dependency-index", help="trusted index for dependencies")
    rehearse.add_argument("--check-timeout", type=_seconds, help=_CHECK_TIMEOUT)
    rehearse.set_defaults(handler=cmd_rehearse)

    schema = sub.add_parser("schema", parents=[project], help="validate settings and workflows")
    schema.set_defaults(handler=cmd_schema)
    return parser


_CHECK_TIMEOUT = "seconds every check may run (default: each check's timeout, 1800)"


def _count(value: str) -> int:
    try:
        count = int(_given(value))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is less than 1")
    return count
