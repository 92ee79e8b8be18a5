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
from typing import TYPE_CHECKING

from packaging.version import Version

from release import git, github, indexes
from release.errors import ReleaseError

if TYPE_CHECKING:
    from release.context import Options
from release.fixforward import ensure_unconsumed, next_version, parse_base, parse_consumed
from release.lanes import Event, Plan, make_plan
from release.project import Config, load_config, read_lock_version
from release.version_check import VersionSources, pick_head_tag, resolve_tag, verify
from release.versions import Kind, ReleaseVersion, consumed_from_tags, parse_version

KINDS = [k.value for k in Kind]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, _terminated)  # run every cleanup (local servers) on SIGTERM too
    try:
        return int(args.handler(args))
    except ReleaseError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


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
    with open_run(config, _options(args), _progress) as run:
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
    with open_run(config, _options(args), _progress) as run:
        result = validate(run, stage, args.index, args.python)
    for name, seconds in result.checks.items():
        print(f"passed: {name} ({seconds:.1f} s)")
    for name, why in result.skipped.items():
        print(f"skipped: {name} ({why})")
    print(f"ok: {result.wheel} from {args.index} passes its checks on Python {args.python}")
    return 0


def cmd_rehearse(args: argparse.Namespace) -> int:
    from release.context import STATE_DIR
    from release.rehearse import Rehearsal, rehearse_rc

    project = args.project.resolve()
    report = args.report or project / STATE_DIR / "rehearse-rc.json"
    result = rehearse_rc(Rehearsal(project, report, args.dependency_index, args.jobs), _progress)
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
    plan = make_plan(trigger, _sources(config, None, None), config.pythons, head)
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
        ensure_unconsumed(version, _consumed(config, args.consumed))
    from release.bump import bump

    bump(config.root, version)
    print(f"bumped {config.name} {config.version} -> {version} (pyproject.toml, uv.lock)")
    return 0


def _next(config: Config, kind: Kind, args: argparse.Namespace) -> ReleaseVersion:
    base = parse_base(args.base) if args.base else _current(config).base
    return next_version(kind, base, _consumed(config, args.consumed))


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


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _consumed(config: Config, extra: Sequence[str]) -> frozenset[Version]:
    # The indexes join here once uploads exist: whatever any of them has seen is consumed.
    return consumed_from_tags(git.tags(config.root)) | parse_consumed(extra)


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="staged-release", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log every command run")
    sub = parser.add_subparsers(dest="command", required=True)
    project = argparse.ArgumentParser(add_help=False)
    project.add_argument("--project", type=Path, default=Path(), help="project root (default .)")
    # -v also after the subcommand; SUPPRESS keeps it from resetting one given before it.
    project.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS)

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

    consumed = argparse.ArgumentParser(add_help=False, parents=[project])
    consumed.add_argument("--base", help="X.Y.Z to bump within (default: the current version's)")
    consumed.add_argument(
        "--consumed", action="append", default=[], metavar="V", help="a version seen elsewhere"
    )
    nxt = sub.add_parser("next", parents=[consumed], help="print the next free version")
    nxt.add_argument("kind", choices=KINDS)
    nxt.set_defaults(handler=cmd_next)

    bump = sub.add_parser("bump", parents=[consumed], help="write the next version and lock")
    bump.add_argument("target", metavar="{rc,final,post,VERSION}")
    bump.set_defaults(handler=cmd_bump)

    where = argparse.ArgumentParser(add_help=False, parents=[project])
    where.add_argument("--dist", type=Path, help="where the build is (default: PROJECT/dist)")
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
    upload.add_argument("--wait-budget", type=float, help="seconds to wait for the listing")
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
    validate.set_defaults(handler=cmd_validate)

    rehearse = sub.add_parser(
        "rehearse", parents=[project], help="rehearse a lane on local indexes"
    )
    rehearse.add_argument("lane", choices=["rc"])
    rehearse.add_argument(
        "--report", type=Path, help="JSON report (default under .staged-release/)"
    )
    rehearse.add_argument("--jobs", type=int, default=2, help="validation cells run at once")
    rehearse.add_argument("--dependency-index", help="trusted index for dependencies")
    rehearse.set_defaults(handler=cmd_rehearse)

    schema = sub.add_parser("schema", parents=[project], help="validate settings and workflows")
    schema.set_defaults(handler=cmd_schema)
    return parser
