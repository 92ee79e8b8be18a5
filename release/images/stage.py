"""Stage `images`: the service's Docker images in three variants (raw uvicorn, nginx in front,
granian), built from the very wheel that passed validation and published only after the package
installed from PyPI passed on every Python.

preflight → what the registry holds (version tags never move) → build (shared layers) → smoke
test each variant → push → pull back by digest. A re-run after a partial push resumes: a version
tag that holds our wheel is "already published (identical)".
"""

from __future__ import annotations

import dataclasses
import shutil
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from release.config.images import ImagesSpec
from release.containers.base_image import ensure_base
from release.containers.engine import Engine, open_engine, remove_labelled
from release.containers.registry import Registry
from release.context import Run, consumed_versions
from release.core import git
from release.images import _build as image_build
from release.images import _wheelhouse as wheelhouse
from release.images._build import Built
from release.images._tags import (
    VARIANTS,
    WHEEL_LABEL,
    PushPlan,
    TagAction,
    ensure_pushable,
    labels,
    plan_push,
    tag_of,
    tags_for,
)
from release.images.access import login, registry_address
from release.images.preflight import Candidate, image_python, preflight
from release.pipeline.stages import Stage
from release.validation import results


@dataclass(frozen=True)
class Destination:
    registry: Registry
    name: str  # the repository within the registry

    @property
    def repository(self) -> str:
        return f"{self.registry.address}/{self.name}"


IDENTICAL = "identical"  # what `images --json` says of a variant found already published


@dataclass(frozen=True)
class Published:
    variant: str
    tags: tuple[str, ...]  # IMAGE:TAG, the version tag first
    digest: str
    size: int | None  # bytes of the image built; None when nothing was built
    smoke_seconds: float | None  # None: already published (identical), not built again
    state: str = "pushed"  # "pushed" by this run, or found "identical" (already published)


def publish_images(run: Run, stage: Stage, *, after: Path | None = None) -> list[Published]:
    return publish(run, preflight(run, stage, after))


def publish(run: Run, candidate: Candidate) -> list[Published]:
    """Everything after the preflight: the registry read, the builds, the pushes."""
    with _docker(run, candidate) as (engine, where, label):
        plans = {v: _plan(where, candidate, v) for v in VARIANTS}
        _refuse_taken(run, candidate, list(plans.values()))
        new = [v for v in VARIANTS if _version_tag_action(plans[v]) is TagAction.PUSH]
        built = _build(run, candidate, engine, label, new)
        published = [_publish(engine, where, v, plans[v], built.get(v)) for v in VARIANTS]
    manifest = candidate.manifest
    digests = {p.variant: p.digest for p in published}
    sha256 = candidate.built.sha256
    record = results.ImagesRecord(where.name, manifest.version, sha256, digests)
    results.record_images(run.state, record)  # what the post-publish E2E will pull
    return published


@contextmanager
def _docker(run: Run, candidate: Candidate) -> Iterator[tuple[Engine, Destination, str]]:
    """The engine, where to push, and the label of what this run starts (removed after)."""
    with ExitStack() as stack:
        engine = stack.enter_context(open_engine(run.state / "docker", run.progress))
        address = stack.enter_context(registry_address(run, candidate.spec))
        label = f"images-{uuid.uuid4().hex[:12]}"
        stack.callback(remove_labelled, engine, label)
        credentials = login(run, candidate.spec, engine, address)
        registry = Registry(address, http=run.http, credentials=credentials)
        yield engine, Destination(registry, candidate.spec.name or candidate.manifest.name), label


def _plan(where: Destination, candidate: Candidate, variant: str) -> PushPlan:
    tags = tags_for(where.repository, candidate.version, candidate.listed, variant)
    return plan_push(candidate.built.sha256, {t: _wheel_under(where, t) for t in tags})


def _wheel_under(where: Destination, ref: str) -> str | None:
    """The wheel label of the image a tag holds: None when absent, "" when not ours."""
    held = where.registry.labels(where.name, tag_of(ref))
    return None if held is None else held.get(WHEEL_LABEL, "")


def _refuse_taken(run: Run, candidate: Candidate, plans: list[PushPlan]) -> None:
    """A version tag holding another wheel refuses all: nothing is built or pushed, and the
    error names the next free version (from the tags and both indexes, read only then)."""
    taken = [plan for plan in plans if plan.tags(TagAction.REFUSED)]
    if taken:
        consumed = consumed_versions(run, candidate.manifest.name)
        ensure_pushable(taken[0], candidate.version, consumed)


def _version_tag_action(plan: PushPlan) -> TagAction:
    return next(iter(plan.actions.values()))


def _build(
    run: Run, candidate: Candidate, engine: Engine, label: str, variants: list[str]
) -> dict[str, Built]:
    """Build the variants that are new (the common stages once), then smoke-test each."""
    built = build_variants(run, engine, candidate, variants)
    return {v: _smoked(run, engine, b, label, candidate) for v, b in built.items()}


def build_variants(
    run: Run, engine: Engine, candidate: Candidate, variants: list[str]
) -> dict[str, Built]:
    """The variants of the candidate's wheel, built and labelled (the E2E stages' candidates
    too), and tagged as this distribution's last build (image_build.keep_as_cache), so nothing
    stays untagged. The next build finds its steps in the builder's own cache (BuildKit's,
    not these images)."""
    if not variants:
        return {}
    folder = _fresh(run.state / "images" / "context")
    image_build.dockerfile(folder, run.config.root)
    base, python = _base(run, engine, candidate.spec)
    _wheelhouse(run, candidate, python, folder)
    args = _build_args(candidate, base)
    tagged = labels(candidate.version, git.head_revision(run.repo), candidate.built.sha256, None)
    run.progress.doing(f"build {', '.join(variants)}")
    built = image_build.build_targets(engine, folder, variants, args, tagged)
    ids = {variant: b.image_id for variant, b in built.items()}
    image_build.keep_as_cache(engine, candidate.manifest.name, ids)
    return built


def _wheelhouse(run: Run, candidate: Candidate, python: str, folder: Path) -> None:
    """The context's wheelhouse/ (our wheel and the dependencies) and dependencies/ (those
    alone, for the Dockerfile's `deps` stage, cached while the pins stay the same)."""
    run.progress.doing("the wheelhouse")
    house = wheelhouse.build(
        candidate.wheel, candidate.built.sha256, wheelhouse.SERVERS, run.trusted(),
        wheelhouse.Target(python), folder / "wheelhouse", run.http,
        run.log("images", "wheelhouse"),
    )  # fmt: skip
    wheelhouse.dependencies(house, folder / wheelhouse.DEPENDENCIES)


def _smoked(run: Run, engine: Engine, built: Built, label: str, candidate: Candidate) -> Built:
    run.progress.doing(f"smoke-test {built.variant}")
    spec, manifest = candidate.spec, candidate.manifest
    log = run.log("images", f"smoke-{built.variant}")
    expect = image_build.Smoke(label, spec.health, manifest.name, manifest.version, log)
    seconds = image_build.smoke(engine, built, expect)
    return dataclasses.replace(built, smoke_seconds=seconds)


def _base(run: Run, engine: Engine, spec: ImagesSpec) -> tuple[str, str]:
    """The base image and its Python: the embedded debootstrap base on the local stand-ins
    (nothing can be pulled there), else the configured one (python:3.13-slim on real CI)."""
    if run.mode.offline:
        base = ensure_base(engine, run.progress, log_to=run.log("base-image"))
        return base, image_python(run, spec)
    return spec.base, image_python(run, spec)


def _build_args(candidate: Candidate, base: str) -> dict[str, str]:
    spec, manifest = candidate.spec, candidate.manifest
    return {
        "BASE": base, "DIST": manifest.name, "VERSION": manifest.version,
        "WHEEL": candidate.built.filename, "APP": spec.app, "PORT": str(spec.port),
        "HEALTH": spec.health, "SYSTEM_PACKAGES": " ".join(spec.system_packages),
    }  # fmt: skip


def _publish(
    engine: Engine, where: Destination, variant: str, plan: PushPlan, built: Built | None
) -> Published:
    tags, pending = tuple(plan.actions), plan.tags(TagAction.PUSH)
    if built is None:
        return _resume(engine, where, variant, tags, pending)
    digests = [
        image_build.push_and_prove(engine, built, where.repository, tag_of(t)) for t in pending
    ]
    return Published(variant, tags, digests[0], built.size, built.smoke_seconds)


def _resume(
    engine: Engine, where: Destination, variant: str, tags: tuple[str, ...], pending: list[str]
) -> Published:
    """The version tag holds our wheel already; only a `latest` tag may still have to move."""
    if pending:
        held = image_build.pulled(engine, where.repository, tag_of(tags[0]), variant)
        for tag in pending:
            image_build.push_and_prove(engine, held, where.repository, tag_of(tag))
    digest = where.registry.manifest_digest(where.name, tag_of(tags[0])) or ""
    return Published(variant, tags, digest, None, None, IDENTICAL)


def _fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
