"""The E2E gates of the stage table: the project's E2E stack (release.e2e.stack) around the
candidate of each — what the stage's row says (release.pipeline.stages):

- a stage reading an index (the rc lane's): images built from the wheel downloaded from that
  index (its sha256 the manifest's);
- a stage reading no index (before the PyPI upload): images built from the wheel in dist/;
- a stage that pulls (Job.PULL, after the images were pushed): the images the images stage
  published, pulled by digest, and the package as PyPI serves it for the verify steps.

The verify steps run on the host in a fresh environment holding that same wheel, its
dependencies from the trusted index, and the project's test dependencies.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import docker.errors

from release.artifacts.compiled import interpreter_tags
from release.artifacts.manifest import DistFile, Manifest, verified, wheel_fitting
from release.artifacts.metadata import runtime_requirements
from release.config.images import ImagesSpec
from release.config.settings import BUILTIN
from release.containers.base_image import ensure_base
from release.containers.engine import Engine, open_engine
from release.context import Run
from release.core import runner
from release.core.errors import CheckFailed, CommandFailed, ConfigError, NotYetListed, Unavailable
from release.e2e.stack import StackResult, run_stack
from release.images.access import login, registry_address
from release.images.preflight import Candidate, image_wheel
from release.images.stage import build_variants
from release.index.fetch import fetch
from release.pipeline.stages import STAGES, Job, Stage
from release.validation import checks, environments, results
from release.validation.validate import check_tools
from release.versioning.versions import parse_version

VERIFY_BUDGET = 1800.0  # seconds for one verify step


class NoStack(Unavailable):
    """The project declares no E2E stack: the stage has nothing to do (skipped, saying so)."""


@dataclass(frozen=True)
class Subject:
    """What a stage puts under test: the manifest's wheels, as this stage obtains them (from
    dist/, or downloaded from the stage's index and proved); each use takes the one it installs
    (a compiled project has one per Python)."""

    manifest: Manifest
    obtain: Callable[[DistFile], Path]


def run_e2e(run: Run, stage: Stage) -> StackResult:
    """The stack around the stage's candidate: the wheel from its index (or dist/ when none),
    and images built from that wheel, or (a stage that pulls) the images that were pushed."""
    stack = run.config.settings.e2e
    if stack is None:
        raise NoStack(
            "the project declares no E2E stack ([tool.staged-release.e2e] is missing)",
            hint="declare its services, setup and verify steps (see the README) to gate on it",
        )
    subject = _subject(run, stage)
    label = f"e2e-{uuid.uuid4().hex[:12]}"  # run_stack removes all it labels, on any way out
    with open_engine(run.state / "docker", run.progress) as engine:
        variants = sorted({s.candidate for s in stack.services if s.candidate})
        verify = _verifier(run, stage.name, subject)
        with _candidates(run, stage, engine, subject, variants) as candidates:
            return run_stack(
                engine, stack, project=run.config.root, version=subject.manifest.version,
                base=_base(run, engine), candidates=candidates, verify=verify,
                logs=run.logs / stage.name, label=label, progress=run.progress, rebuild=run.rebuild,
            )  # fmt: skip


def _subject(run: Run, stage: Stage) -> Subject:
    """The manifest's wheels: from dist/, or downloaded from the stage's index and proved."""
    manifest = verified(run.dist)
    index_name = stage.index
    if index_name is None:
        return Subject(manifest, lambda wheel: run.dist / wheel.filename)
    index = run.index(index_name)

    def download(wheel: DistFile) -> Path:
        listed = {f.filename: f for f in run.listing(index, manifest.name)}.get(wheel.filename)
        if listed is None:
            raise NotYetListed(
                f"{index.name} does not list {wheel.filename}", hint="upload it first"
            )
        target = run.state / "e2e" / stage.name / wheel.filename
        target.unlink(missing_ok=True)  # always the index's bytes, fetched now
        return fetch(run.http, listed.url, target, wheel.sha256)

    return Subject(manifest, download)


@contextlib.contextmanager
def _candidates(
    run: Run, stage: Stage, engine: Engine, subject: Subject, variants: list[str]
) -> Iterator[dict[str, str]]:
    """variant -> image: built from the subject's wheel (removed after), or pulled by digest."""
    if not variants:
        yield {}
        return
    if stage.job is Job.PULL:
        with _published(run, engine, subject, variants) as pulled:
            yield pulled
        return
    version = parse_version(subject.manifest.version, where="dist/manifest.json")
    spec = _spec(run)
    wheel = subject.obtain(image_wheel(run, spec, subject.manifest))
    candidate = Candidate(spec, subject.manifest, version, frozenset(), wheel)
    # Kept after the stack (build_variants tags them as this distribution's cache): the images
    # stage builds the same wheel into the same layers after the upload, and finds them built.
    built = build_variants(run, engine, candidate, variants)
    yield {v: b.image_id for v, b in built.items()}


@contextlib.contextmanager
def _published(
    run: Run, engine: Engine, subject: Subject, variants: list[str]
) -> Iterator[dict[str, str]]:
    manifest, spec = subject.manifest, _spec(run)
    wheel = image_wheel(run, spec, manifest)
    held = results.published_images(run.state, manifest.version, wheel.sha256)
    if held is None:
        raise NotYetListed(
            f"no images of {wheel.filename} were published in this run",
            hint=f"run the images stage first ({_pusher()})",
        )
    with registry_address(run, spec) as address:
        refs = {v: f"{address}/{held.name}@{held.digests[v]}" for v in variants}
        local = {v: _held_locally(engine, ref) for v, ref in refs.items()}
        if None in local.values():  # only then the credential: the pull-only step had it
            login(run, spec, engine, address)
        yield {v: image or str(engine.client.images.pull(refs[v]).id) for v, image in local.items()}


def _held_locally(engine: Engine, ref: str) -> str | None:
    """The image the engine already holds for a digest reference (pulled by `--pull-only`, in
    the step that alone holds the registry's password), else None."""
    try:
        return str(engine.client.images.get(ref).id)
    except docker.errors.ImageNotFound:
        return None


def _pusher() -> str:
    return ", ".join(f"nox -s {s.session()}" for s in STAGES.values() if s.job is Job.PUSH)


def pull_published(run: Run, stage: Stage) -> list[str]:
    """`e2e --stage NAME --pull-only` of a stage that pulls: the published images pulled by
    digest, and nothing run. The release workflow runs it in a step of its own, which alone
    holds the registry's password, so the step running the project's verify tests holds none."""
    stack = run.config.settings.e2e
    variants = sorted({s.candidate for s in stack.services if s.candidate}) if stack else []
    if not variants:
        return []
    subject = _subject(run, stage)
    with (
        open_engine(run.state / "docker", run.progress) as engine,
        _published(run, engine, subject, variants) as pulled,
    ):
        return [f"{variant}: {image}" for variant, image in pulled.items()]


def _spec(run: Run) -> ImagesSpec:
    spec = run.config.settings.images
    if spec is None:
        raise ConfigError(
            "the E2E stack runs a candidate image, but the project declares no images",
            hint='add [tool.staged-release.images] with app = "module:attr"',
        )
    return spec


def _base(run: Run, engine: Engine) -> str:
    """The base the stack's own images are built from: the embedded one on the stand-ins (none
    can be pulled there), else none, so each Dockerfile's own default applies."""
    if not run.mode.offline:
        return ""
    return ensure_base(engine, run.progress, log_to=run.log("base-image"))


def _verifier(
    run: Run, stage: str, subject: Subject
) -> Callable[[str, list[str], dict[str, str]], None]:
    """The verify steps' runner, with the environment made once, when the first step needs it."""
    made: list[checks.Place] = []

    def verify(name: str, argv: list[str], env: dict[str, str]) -> None:
        if not made:
            made.append(_place(run, stage, subject))
        _run_step(made[0], name, argv, env)

    return verify


def _place(run: Run, stage: str, subject: Subject) -> checks.Place:
    """A fresh environment with the subject's wheel, its dependencies from the trusted index
    and the tests' tools, as a validation cell has."""
    root = run.state / "e2e" / stage
    # A stage run again (the post fix's lane) starts with a fresh environment; the candidate's
    # wheel beside it is this run's.
    shutil.rmtree(root / "venv", ignore_errors=True)
    logs = run.logs / stage
    python = run.config.pythons[0]
    wheel = subject.obtain(_host_wheel(subject.manifest, python, logs / "environment.log"))
    env = environments.create(root / "venv", python, logs / "environment.log")
    environments.install_file(env, wheel, logs / "environment.log")
    tools = [*runtime_requirements(wheel), *_test_tools(run)]
    environments.install_from(env, run.trusted(), tools, "verify", logs / "environment.log")
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    return checks.Place(env, run.config.root, root / "tmp", logs)


def _host_wheel(manifest: Manifest, python: str, log: Path) -> DistFile:
    """The wheel of the build that this machine's Python `python` installs."""
    supported = interpreter_tags(environments.interpreter(python), log)
    return wheel_fitting(manifest, supported, python)


def _test_tools(run: Run) -> list[str]:
    spec = next((c for c in run.config.settings.checks if c.name == "tests"), BUILTIN["tests"])
    return check_tools(run.config.root, [spec])


def _run_step(place: checks.Place, name: str, argv: list[str], env: dict[str, str]) -> None:
    try:
        runner.run(
            checks.from_env(argv, place.env), cwd=place.tmp, env={**place.env.variables(), **env},
            unset=["PYTHONPATH"], timeout=VERIFY_BUDGET, log_to=place.log(f"verify-{name}"),
        )  # fmt: skip
    except CommandFailed as exc:
        log = str(place.log(f"verify-{name}"))
        raise CheckFailed(
            f"verify step {name!r} failed: {exc.message}", hint=f"its output: {log}", log=log
        ) from None
