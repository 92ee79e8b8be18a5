"""The commands that run a stage (build, upload, validate, candidate-checks, images, e2e), a
rehearsal, init and schema. Each handler imports its stage inside: twine, httpx, devpi, Docker's
SDK and tomlkit are slow to import, and the version commands must start quickly."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from release.cli._output import fail
from release.config.project import STATE_DIR, Config, load_config, version_sources
from release.core.errors import CheckFailed, Unavailable, UsageError
from release.core.verdicts import CheckOutcome, CheckStatus, left_running
from release.index import profiles as indexes
from release.versioning.check import resolve_tag, verify

if TYPE_CHECKING:
    from release.context import Options, Run
    from release.index.devpi import Server
    from release.validation.validate import CellResult


def cmd_build(args: argparse.Namespace) -> int:
    from release.artifacts.build import build
    from release.core import interpreters

    config = load_config(args.project)
    if args.index:  # a missing credential or a refused publisher stops it before the build
        _preflight(args, config)
    tag = resolve_tag(args.tag, os.environ, config.root)
    version = verify(version_sources(config, tag, args.expected_version))
    dist = args.dist or config.root / "dist"
    pythons = interpreters.installed(config.pythons, os.environ)
    log = _build_log(config.root / STATE_DIR)
    log.unlink(missing_ok=True)
    built = build(
        config.root, dist, config.name, version, log, dynamic=config.version is None,
        pythons=pythons, prebuilt=args.prebuilt,
    )  # fmt: skip
    for file in built.files:
        print(f"built {file.filename}  sha256:{file.sha256}  {file.size} bytes")
    missing = [p for p in config.pythons if p not in pythons]
    if missing and args.prebuilt is None:
        _warn_unbuilt(args, missing, [w.filename for w in built.wheels])
    return 0


def _build_log(state: Path) -> Path:
    """Where the build's whole output goes: the state directory's logs (where a lane's build
    writes it too) when the project has one; else a temporary folder, since a state directory
    made now would be packed into the sdist of a project that does not ignore it (hatchling reads
    no .gitignore but the root's) and the build would refuse it."""
    if state.is_dir():
        from release.context import LOGS

        return state / LOGS / "build.log"
    return Path(tempfile.mkdtemp(prefix="staged-release-build-")) / "build.log"


def _warn_unbuilt(args: argparse.Namespace, missing: list[str], wheels: list[str]) -> None:
    """A compiled project's Pythons that got no wheel here: their cells will fail."""
    from release.artifacts.wheels import is_platform_specific

    if any(is_platform_specific(w) for w in wheels):
        args.progress.warn(
            f"no wheel for Python {', '.join(missing)}: not installed here, so its cells will "
            "find no wheel that fits (install it, or build elsewhere and pass --prebuilt DIR)"
        )


def _preflight(args: argparse.Namespace, config: Config) -> None:
    from release.upload.credential import preflight

    mode = indexes.read_mode(args.indexes, os.environ)
    policy = indexes.read_policy(args.trusted_publishing, os.environ)
    found = preflight(args.index, mode, config.settings, os.environ, policy)
    if found is not None:
        print(f"credential for {args.index}: {found.source}")


def cmd_upload(args: argparse.Namespace) -> int:
    from release.context import open_run
    from release.upload.stage import upload

    config = _with_budget(load_config(args.project), args.wait_budget)
    with open_run(config, _options(args), args.progress) as run:
        policy = indexes.read_policy(args.trusted_publishing, run.env)
        final = args.allow_final_without_rc
        done = upload(run, args.index, allow_final_without_rc=final, policy=policy)
    for name in done.already:
        print(f"already published (identical): {name}")
    for name in done.sent:
        print(f"uploaded: {name}")
    print(f"credential: {done.credential}")
    print(f"attestations: {done.attestations}")
    args.noted = f"credential: {done.credential}; attestations: {done.attestations}"
    print(f"ok: {done.index} lists every file with the expected sha256 ({done.waited:.1f} s)")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    stage = args.stage or ("validate_rc" if args.index == indexes.STAGING else "validate_final")

    def work(run: Run) -> CellResult:
        from release.validation.validate import validate  # once the index server is starting

        return validate(run, stage, args.index, args.python)

    result = _cell(args, stage, work)
    print(f"ok: {result.wheel} from {args.index} passes its checks on Python {args.python}")
    return 0


def cmd_candidate_checks(args: argparse.Namespace) -> int:
    from release.validation.validate import CANDIDATE, candidate_checks

    result = _cell(args, CANDIDATE, lambda run: candidate_checks(run, args.python))
    print(f"ok: {result.wheel} from dist/ passes its checks on Python {args.python}")
    return 0


def _cell(args: argparse.Namespace, stage: str, work: Callable[[Run], CellResult]) -> CellResult:
    """One validation cell, its checks printed whether it passed or not."""
    with _early_indexes(args) as started:
        from release.context import open_run

        config = load_config(args.project)
        options = dataclasses.replace(_options(args), check_timeout=args.check_timeout)
        cell = f"{stage}-{args.python}"
        with open_run(config, options, args.progress, started) as run, run.progress.activity(cell):
            try:
                result = work(run)
            except CheckFailed as exc:
                _print_checks(exc.checks)
                raise
    _print_checks(result.checks)
    return result


@contextmanager
def _early_indexes(args: argparse.Namespace) -> Iterator[Server | None]:
    """Under --indexes local, the stand-ins' server started before anything else, so that it
    starts (1.5 s) while this process loads the project and its own modules (0.5 s): the run
    waits for it only where it first needs it. Only where an earlier command made its state
    directory: nothing is created here before the project is known to be one."""
    from release.index import devpi

    state = args.project.resolve() / STATE_DIR / "indexes"
    local = indexes.read_mode(args.indexes, os.environ) is indexes.Mode.LOCAL
    if not local or not devpi.initialised(state):
        yield None
        return
    with devpi.start(state, args.progress) as server:
        yield server


def _print_checks(checks: Sequence[CheckOutcome]) -> None:
    for check in checks:
        detail = check.reason if check.status is CheckStatus.SKIPPED else f"{check.seconds:.1f} s"
        where = f"  log: {check.log}" if check.log else ""
        print(f"{check.status}: {check.name} ({detail}){where}")
        if check.leftovers:
            print(f"  {left_running(check.leftovers)}")


def cmd_images(args: argparse.Namespace) -> int:
    from release.context import open_run
    from release.images.stage import publish_images

    config = load_config(args.project)
    with open_run(config, _options(args), args.progress) as run:
        try:
            done = publish_images(run, after=args.after)
        except Unavailable as exc:
            fail(exc.message, exc.hint, exc.exit_code, word="skipped")
            return exc.exit_code
    if args.json:
        print(json.dumps([dataclasses.asdict(p) for p in done], indent=2))
    for image in [] if args.json else done:
        how = "published" if image.state == "pushed" else "already published (identical)"
        print(f"{how}: {', '.join(image.tags)}  {image.digest}")
    return 0


def cmd_e2e(args: argparse.Namespace) -> int:
    from release.context import open_run
    from release.e2e.stage import run_e2e

    config = load_config(args.project)
    options = dataclasses.replace(_options(args), rebuild=args.no_cache)
    if args.pull_only:
        return _pull_only(args, config, options)
    with open_run(config, options, args.progress) as run:
        try:
            result = run_e2e(run, args.stage)
        except Unavailable as exc:
            return fail(exc.message, exc.hint, exc.exit_code, word="skipped")
    for phase, seconds in result.phases().items():
        print(f"{phase}: {seconds:.1f} s")
    where = run.logs / args.stage
    print(f"ok: the {args.stage} stack passed in {result.seconds:.1f} s (logs: {where})")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from release.init import init

    for line in init(args.project.resolve(), force=args.force, try_checks=not args.no_try):
        print(line)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from release.config import schemas

    config = load_config(args.project)  # validates [tool.staged-release] against the schema
    checked = schemas.check_project(config.root)
    print(f"ok: settings schema, [tool.staged-release] and {len(checked)} workflow(s) are valid")
    return 0


def _options(args: argparse.Namespace) -> Options:
    from release.context import Options

    mode = indexes.read_mode(args.indexes, os.environ)
    dependency_index = args.dependency_index or os.environ.get(indexes.DEPENDENCY_INDEX_ENV)
    return Options(mode, dependency_index, args.dist)


def _with_budget(config: Config, budget: float | None) -> Config:
    if budget is None:
        return config
    return dataclasses.replace(
        config, settings=dataclasses.replace(config.settings, wait_budget=budget)
    )


def _pull_only(args: argparse.Namespace, config: Config, options: Options) -> int:
    from release.context import open_run
    from release.e2e.stage import pull_published

    if args.stage != "e2e_postpublish":
        raise UsageError(
            "--pull-only pulls the published images: only e2e_postpublish has them",
            hint="run `staged-release e2e --stage e2e_postpublish --pull-only`",
        )
    with open_run(config, options, args.progress) as run:
        pulled = pull_published(run)
    print("\n".join(f"pulled {line}" for line in pulled) or "no candidate image to pull")
    return 0
