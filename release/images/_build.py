"""The effects of the images stage on one engine: the build context, the variants' builds, the
smoke test of each, and pushing with the pull-back that proves what the registry holds.

The build context is the Dockerfile the suite ships (or the project's own docker/Dockerfile) and
a wheelhouse (release.images._wheelhouse): the validated wheel and its dependencies pinned by
hash, so the image resolves nothing itself and holds exactly the bytes that passed validation.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import docker
import httpx
from docker.models.containers import Container

from release.containers.builder import build_image
from release.containers.engine import Engine, push, start_container
from release.core import parallel, runner
from release.core.errors import CheckFailed, IntegrityError, ReleaseError
from release.core.service import GaveUp, free_port, wait_until
from release.core.text import redact, secret_values

HOST = "127.0.0.1"
SMOKE_BUDGET = 120.0  # seconds for a variant to answer its health path
BUILD_TIMEOUT = 1800  # seconds for one variant (a first build on a machine makes every stage)
CACHE = "staged-release-cache"  # the engine-local repository of the last images built per dist


@dataclass(frozen=True)
class Built:
    variant: str
    image_id: str
    size: int
    smoke_seconds: float | None = None  # once it passed its smoke test


def dockerfile(folder: Path, project: Path) -> Path:
    """The project's docker/ when it has a Dockerfile, else the Dockerfile the suite ships."""
    own = project / "docker"
    if (own / "Dockerfile").is_file():
        shutil.copytree(own, folder, dirs_exist_ok=True)
    else:
        with resources.as_file(shipped()) as files:
            shutil.copytree(files, folder, dirs_exist_ok=True)
    return folder


def shipped() -> Traversable:
    """The Docker files the suite ships: release/docker inside an installed wheel (the build puts
    the top-level docker/ there), or docker/ beside the package in a source checkout."""
    inside = resources.files("release") / "docker"
    return inside if inside.is_dir() else Path(__file__).parents[2] / "docker"


def build(
    engine: Engine, folder: Path, target: str, args: Mapping[str, str], labels: Mapping[str, str]
) -> Built:
    """One target of the Dockerfile, with host networking (apt reaches Debian's mirror)."""
    options = {"target": target, "buildargs": args, "labels": labels}
    image_id = build_image(
        engine, folder, options, timeout=BUILD_TIMEOUT, what=f"the {target} image"
    )
    image = engine.client.images.get(image_id)
    return Built(target, str(image.id), int(image.attrs.get("Size", 0)))


def build_targets(
    engine: Engine, folder: Path, targets: Sequence[str], args: Mapping[str, str],
    labels: Mapping[str, str],
) -> dict[str, Built]:  # fmt: skip
    """The targets side by side: BuildKit runs a step that several builds share (deps, venv:
    the wheelhouse's install) once, and each build then adds only its own layers. The first
    failure is raised, in the targets' order."""
    built: dict[str, Built] = {}

    def one(target: str) -> Built | ReleaseError:
        try:
            return build(engine, folder, target, args, labels)
        except ReleaseError as exc:  # raised below, in the caller's thread
            return exc

    results = parallel.in_order(one, targets, len(targets))
    for target, result in zip(targets, results, strict=True):
        runner.CANCEL.check()  # interrupted: the builds not started are None
        if isinstance(result, ReleaseError):
            raise result
        if result is not None:
            built[target] = result
    return built


@dataclass(frozen=True)
class Smoke:
    """What the smoke test of one image looks for, and where the container's log goes."""

    label: str
    health: str
    dist: str
    version: str
    log: Path


def smoke(engine: Engine, built: Built, expect: Smoke) -> float:
    """Run the image on a free 127.0.0.1 port: its health path must answer 2xx within the
    budget and the installed distribution must be `version`. Returns the seconds it took.
    The container's whole log is kept in `expect.log`; a failure names that file."""
    started, port = time.monotonic(), free_port()
    container = start_container(
        engine, built.image_id, label=expect.label, environment={"PORT": str(port)}
    )
    try:
        _check(container, built.variant, port, expect)
    except CheckFailed as exc:
        raise _with_log(exc, expect.log) from None
    finally:
        try:
            _keep_log(container, expect.log)
        finally:
            container.remove(force=True)
    return time.monotonic() - started


def _check(container: Container, variant: str, port: int, expect: Smoke) -> None:
    _wait_healthy(f"http://{HOST}:{port}{expect.health}", container, variant)
    found = _installed_version(container, expect.dist)
    if found != expect.version:
        raise CheckFailed(f"the {variant} image holds {expect.dist} {found}, not {expect.version}")


def push_and_prove(engine: Engine, built: Built, repository: str, tag: str) -> str:
    """Tag and push, then pull the image back by its digest: it must be the image built."""
    engine.client.images.get(built.image_id).tag(repository, tag)
    digest = push(engine, repository, tag)
    pulled = engine.client.images.pull(f"{repository}@{digest}")
    if str(pulled.id) != built.image_id:
        raise IntegrityError(
            f"{repository}@{digest} pulled back as {pulled.id}, not the {built.variant} image "
            f"built ({built.image_id})",
            hint="the registry holds something else under that digest; do not publish it",
        )
    return digest


def keep_as_cache(engine: Engine, dist: str, built: Mapping[str, str]) -> None:
    """Keep the images just built (target -> image id) under CACHE/<dist>:<target>, replacing
    the ones kept before, so that no build leaves images behind untagged (one set per
    distribution). The builder's cache is BuildKit's own: it does not need these images."""
    repository = f"{CACHE}/{dist}"
    for target, image_id in built.items():
        before = _tagged(engine, f"{repository}:{target}")
        engine.client.images.get(image_id).tag(repository, target)
        if before not in (None, image_id):  # only its cache tag held it: untagged now
            with contextlib.suppress(docker.errors.APIError):  # in use, or tagged elsewhere
                engine.client.images.remove(before)


def _tagged(engine: Engine, reference: str) -> str | None:
    try:
        return str(engine.client.images.get(reference).id)
    except docker.errors.ImageNotFound:
        return None


def pulled(engine: Engine, repository: str, tag: str, variant: str) -> Built:
    """An image the registry holds, as built (to move a `latest` tag onto it)."""
    image = engine.client.images.pull(repository, tag=tag)
    return Built(variant, str(image.id), int(image.attrs.get("Size", 0)))


def _wait_healthy(url: str, container: Container, variant: str) -> None:
    wait_until(
        lambda: _answers(url), budget=SMOKE_BUDGET, exited=lambda: _exited(container),
        fail=lambda stop: _unhealthy(stop, url, container, variant),
    )  # fmt: skip


def _exited(container: Container) -> str | None:
    container.reload()
    return container.status if container.status in ("exited", "dead") else None


def _unhealthy(stop: GaveUp, url: str, container: Container, variant: str) -> CheckFailed:
    if stop.exited is not None:
        return CheckFailed(f"the {variant} image exited before {url} answered: {_logs(container)}")
    return CheckFailed(
        f"the {variant} image did not answer {url} within {SMOKE_BUDGET:g} s: {_logs(container)}"
    )


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2.0).is_success
    except httpx.HTTPError:
        return False


def _installed_version(container: Container, dist: str) -> str:
    probe = f"import importlib.metadata as m; print(m.version({dist!r}))"
    code, output = container.exec_run(["python", "-c", probe])
    text = output.decode(errors="replace").strip() if isinstance(output, bytes) else ""
    if code != 0:
        raise CheckFailed(f"{dist} is not installed in the image: {text[-500:]}")
    return text


def _logs(container: Container) -> str:
    data = container.logs(tail=20)
    return redact(" | ".join(data.decode(errors="replace").strip().splitlines()), _secrets())


def _keep_log(container: Container, log: Path) -> None:
    """The container's whole output, stdout and stderr interleaved as it wrote them."""
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(redact(container.logs().decode(errors="replace"), _secrets()))


def _with_log(exc: CheckFailed, log: Path) -> CheckFailed:
    hint = f"the container's whole log is in {log}"
    return CheckFailed(exc.message, f"{exc.hint}; {hint}" if exc.hint else hint, log=str(log))


def _secrets() -> frozenset[str]:
    return secret_values(os.environ)
