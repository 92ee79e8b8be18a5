"""The E2E stack's effects on the engine: its images (built, found or pulled), its containers
(started, asked, watched), their logs, and removing everything it labelled.

Commands inside a container run as `docker exec` through release.core.runner, which gives them a
budget, cancellation and redaction like every other command; the secrets to redact are handed
to it the way it knows secrets, as variables whose names say SECRET.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import docker
from docker.models.containers import Container

from release.containers import builder
from release.containers.engine import LABEL, Engine
from release.core import runner
from release.core.errors import CheckFailed
from release.core.text import plain, redact

# The stack cache: images built from a service's `build =` directory stay in the engine, ours by
# LABEL=CACHED (so no run's removal takes them), found again by KEY_LABEL.
CACHED = "stack-cache"
KEY_LABEL = "dev.staged-release.stack-key"
SERVICE_LABEL = "dev.staged-release.stack-service"
BUILD_TIMEOUT = 1800  # seconds for one of the stack's own images (a Debian package or two)
_ENGINE_ERRORS = (docker.errors.DockerException, OSError)
_TAIL = 20  # lines of a container's log quoted in an error


def cached_image(
    engine: Engine, folder: Path, base: str, service: str, timeout: float, *, rebuild: bool
) -> tuple[str, bool]:
    """The image of a `build =` directory from the engine's stack cache, else built and kept
    there: (image id, whether it was reused). The key is the build context's files and the base
    image's id, so a change to either builds anew; `rebuild` (--no-cache) always does."""
    key = stack_key(folder, _image_id(engine, base))
    found = [] if rebuild else _cached(engine, f"{KEY_LABEL}={key}")
    if found:
        return str(found[0].id), True
    labels = {LABEL: CACHED, KEY_LABEL: key, SERVICE_LABEL: service}
    image = build_image(engine, folder, base, labels, timeout, rebuild=rebuild)
    for stale in _cached(engine, f"{SERVICE_LABEL}={service}"):  # this service's older builds
        if str(stale.id) != image:
            with contextlib.suppress(*_ENGINE_ERRORS):
                engine.client.images.remove(str(stale.id), force=True)
    return image, False


def stack_key(folder: Path, base_id: str) -> str:
    """sha256 over every file of the build context (its path and bytes) and the base's id."""
    digest = hashlib.sha256(f"base {base_id}\n".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(folder).as_posix()}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _image_id(engine: Engine, reference: str) -> str:
    if not reference:
        return ""  # the Dockerfile's own FROM: its text is in the key already
    with contextlib.suppress(docker.errors.ImageNotFound):
        return str(engine.client.images.get(reference).id)
    return reference


def _cached(engine: Engine, label: str) -> list[Any]:
    return list(engine.client.images.list(filters={"label": [f"{LABEL}={CACHED}", label]}))


def build_image(
    engine: Engine, folder: Path, base: str, labels: Mapping[str, str], timeout: float,
    *, rebuild: bool = False,
) -> str:  # fmt: skip
    """The image of a `build =` directory, FROM the base (none given: its Dockerfile's default),
    with host networking; labelled."""
    args = {"BASE": base} if base else {}
    options = {"buildargs": args, "labels": labels, "nocache": rebuild}
    return builder.build_image(
        engine, folder, options, timeout=timeout, what=f"the image in {folder}",
        hint=f"fix {folder / 'Dockerfile'}; it gets --build-arg BASE={base}",
    )  # fmt: skip


def present_image(engine: Engine, reference: str) -> str:
    """An image the engine has, or pulls now."""
    try:
        return str(engine.client.images.get(reference).id)
    except docker.errors.ImageNotFound:
        pass
    try:
        return str(engine.client.images.pull(reference).id)
    except docker.errors.APIError as exc:
        raise CheckFailed(
            f"the image {reference} is not in the engine and cannot be pulled: {exc.explanation}",
            hint=f"pull or build it first (docker pull {reference}), or use build = DIR",
        ) from None


def start(
    engine: Engine, image: str, command: Sequence[str] | None, *, name: str, label: str,
    env: Mapping[str, str],
) -> Container:  # fmt: skip
    """A detached container on the host's network, labelled; named for the logs and `exec`."""
    return engine.client.containers.run(
        image, list(command) if command else None, detach=True, network_mode="host",
        labels={LABEL: label}, name=name, environment=dict(env),
    )  # fmt: skip


def exited(container: Container) -> int | None:
    """The exit code of a container that has stopped, None while it runs."""
    container.reload()
    if container.status in ("exited", "dead"):
        return int(container.attrs["State"]["ExitCode"])
    return None


def execute(
    engine: Engine, container: Container, argv: Sequence[str], *, timeout: float,
    secrets: Iterable[str],
) -> runner.Completed:  # fmt: skip
    """`argv` inside the running container, through the runner; never raises on its exit."""
    env = {**engine.environment(), **secret_variables(secrets)}
    return runner.run(
        ["docker", "exec", str(container.name), *argv], env=env, timeout=timeout, check=False
    )


def secret_variables(secrets: Iterable[str]) -> dict[str, str]:
    """Secrets as variables secret_values recognises, so it redacts them everywhere."""
    return {f"STAGED_RELEASE_E2E_SECRET_{i}": s for i, s in enumerate(sorted(secrets))}


def tail(container: Container, secrets: Iterable[str]) -> str:
    """The last lines of its log, on one line, redacted."""
    with contextlib.suppress(*_ENGINE_ERRORS):
        text = container.logs(tail=_TAIL).decode(errors="replace")
        return redact(" | ".join(plain(text).strip().splitlines()), secrets)
    return "(its log cannot be read)"


def save_log(container: Container, path: Path, secrets: Iterable[str]) -> bool:
    """Its whole log (stdout and stderr, as they came), redacted, to `path`; False when the
    engine would not give it (the container is gone)."""
    try:
        text = container.logs(stdout=True, stderr=True).decode(errors="replace")
    except _ENGINE_ERRORS:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(redact(plain(text), secrets), encoding="utf-8")
    return True
