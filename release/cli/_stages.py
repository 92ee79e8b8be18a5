"""The commands that run a stage (one per command of the stage table: check, build, upload,
validate, candidate-checks, images, e2e), init and schema. Every stage command is one handler,
`cmd_stage`: it opens the run and hands it to release.pipeline.run, the same function a rehearsal
runs each stage with, then prints what the stage did. Each stage imports its work inside: twine,
httpx, devpi, Docker's SDK and tomlkit are slow to import, and the version commands must start
quickly."""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from release.cli import _shown
from release.cli._output import fail
from release.config.project import STATE_DIR, Config, load_config
from release.core.errors import Unavailable, UsageError
from release.index import profiles as indexes
from release.pipeline.stages import Job, Stage, chosen, commands, flags
from release.versioning.check import resolve_tag

if TYPE_CHECKING:
    from release.context import Options
    from release.index.devpi import Server


def cmd_stage(args: argparse.Namespace) -> int:
    """The stage the command and its options name, run alone: its outcome goes to the job's
    summary (GitHub Actions), its result to stdout, its error to the boundary."""
    stage, session = _stage(args)
    config = _with_budget(load_config(args.project), getattr(args, "wait_budget", None))
    if getattr(args, "pull_only", False):
        return _pull_only(args, stage, config)
    _credential_first(args, stage, config)
    python = args.python if stage.per_python else None
    started: Server | None = getattr(args, "early_indexes", None)  # see release.cli._early
    from release.context import open_run  # once the index server is starting
    from release.pipeline.run import run_stage

    with open_run(config, _options(args, stage, config), args.progress, started) as run:
        # a cell is watched while it runs (many checks); a stage alone prints its result
        ran = run_stage(run, stage, python, announce=stage.per_python)
        noted = _shown.show(args, run, ran, stage)
    if session:  # a configured index's upload is no session of the table's
        args.outcome = dataclasses.replace(ran.outcome, reason=ran.outcome.reason or noted)
    if isinstance(ran.error, Unavailable):  # e.g. no Docker engine: skipped, saying why
        return fail(ran.error.message, ran.error.hint, ran.error.exit_code, word="skipped")
    if ran.error is not None:
        raise ran.error
    return 0


def _stage(args: argparse.Namespace) -> tuple[Stage, bool]:
    """The table's stage for the command and its options, and whether it is one (an upload or
    validation from a configured index runs the command's first stage against that index)."""
    found = chosen(args.command, vars(args))
    if found is not None:
        return found, True
    first = commands()[args.command][0]
    return dataclasses.replace(first, index=args.index), False


def _credential_first(args: argparse.Namespace, stage: Stage, config: Config) -> None:
    """build --index: a missing credential or a refused publisher stops it before the build."""
    if "credential-first" not in stage.options or not args.index:
        return
    from release.upload.credential import preflight  # here: it imports httpx (0.2-0.4 s)

    mode = indexes.read_mode(args.indexes, os.environ)
    policy = indexes.read_policy(args.trusted_publishing, os.environ)
    found = preflight(args.index, mode, config.settings, os.environ, policy)
    if found is not None:
        print(f"credential for {args.index}: {found.source}")


def _state(stage: Stage, config: Config) -> Path | None:
    """Where the run keeps its state: the project's state directory, except for a build in a
    project that has none yet: one made now would be packed into the sdist of a project that
    does not ignore it (hatchling reads no .gitignore but the root's), and the build would
    refuse it; its log then goes to a temporary folder."""
    if stage.job is Job.BUILD and not (config.root / STATE_DIR).is_dir():
        return Path(tempfile.mkdtemp(prefix="staged-release-build-"))
    return None


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


def _options(args: argparse.Namespace, stage: Stage, config: Config) -> Options:
    from release.context import Options

    mode = indexes.read_mode(args.indexes, os.environ)
    dependency_index = args.dependency_index or os.environ.get(indexes.DEPENDENCY_INDEX_ENV)
    given = vars(args)
    tag = resolve_tag(given.get("tag"), os.environ, config.root) if "tag" in stage.options else None
    policy = given.get("trusted_publishing")
    return Options(
        mode, dependency_index, args.dist, state=_state(stage, config), tag=tag,
        expected_version=given.get("expected_version"), check_timeout=given.get("check_timeout"),
        rebuild=bool(given.get("no_cache")), prebuilt=given.get("prebuilt"),
        after=given.get("after"), allow_final_without_rc=bool(given.get("allow_final_without_rc")),
        policy=indexes.read_policy(policy, os.environ) if "publishing" in stage.options else None,
        indexes=stage.job is not Job.BUILD,  # the build job's stages read no index
    )  # fmt: skip


def _with_budget(config: Config, budget: float | None) -> Config:
    if budget is None:
        return config
    return dataclasses.replace(
        config, settings=dataclasses.replace(config.settings, wait_budget=budget)
    )


def _pull_only(args: argparse.Namespace, stage: Stage, config: Config) -> int:
    from release.context import open_run
    from release.e2e.stage import pull_published

    if stage.job is not Job.PULL:
        pulling = [s for s in commands()[args.command] if s.job is Job.PULL]
        raise UsageError(
            f"--pull-only pulls the published images: only {_names(pulling)} has them",
            hint=f"run `staged-release {args.command} {_argv(pulling)} --pull-only`",
        )
    with open_run(config, _options(args, stage, config), args.progress) as run:
        pulled = pull_published(run, stage)
    print("\n".join(f"pulled {line}" for line in pulled) or "no candidate image to pull")
    return 0


def _names(stages: list[Stage]) -> str:
    return " or ".join(s.name for s in stages) or "no stage"


def _argv(stages: list[Stage]) -> str:
    fixed = flags(stages[0]).items() if stages else ()
    return " ".join(f"--{option.replace('_', '-')} {value}" for option, value in fixed)
