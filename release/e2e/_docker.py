"""The E2E stack's effects on the engine: its images (built, found or pulled), its containers
(started, asked, watched), their logs, and removing everything it labelled.

Commands inside a container run as `docker exec` through release.core.runner, which gives them a
budget, cancellation and redaction like every other command; the secrets to redact are handed
to it the way it knows secrets, as variables whose names say SECRET.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import docker
from docker.models.containers import Container

from release.containers.engine import LABEL, Engine
from release.core import runner
from release.core.errors import CheckFailed
from release.core.text import plain, redact

BUILD_TIMEOUT = 1800  # seconds for one of the stack's own images (a Debian package or two)
_ENGINE_ERRORS = (docker.errors.DockerException, OSError)
_TAIL = 20  # lines of a container's log quoted in an error


def build_image(engine: Engine, folder: Path, base: str, label: str, timeout: float) -> str:
    """The image of a `build =` directory, FROM the base (none given: its Dockerfile's default),
    with host networking; labelled."""
    try:
        image, _ = engine.client.images.build(
            path=str(folder), buildargs={"BASE": base} if base else {}, labels={LABEL: label},
            network_mode="host", rm=True, forcerm=True, timeout=int(max(timeout, 1)),
        )  # fmt: skip
    except docker.errors.BuildError as exc:
        lines = [str(line.get("stream") or line.get("error") or "") for line in exc.build_log]
        tail = " | ".join("".join(lines).strip().splitlines()[-15:])
        raise CheckFailed(
            f"building the image in {folder} failed: {exc.msg}: {tail}",
            hint=f"fix {folder / 'Dockerfile'}; it gets --build-arg BASE={base}",
        ) from None
    return str(image.id)


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


def remove_images(engine: Engine, label: str) -> None:
    """The images built for the stack (labelled with its label)."""
    with contextlib.suppress(*_ENGINE_ERRORS):
        for image in engine.client.images.list(filters={"label": f"{LABEL}={label}"}):
            with contextlib.suppress(*_ENGINE_ERRORS):
                engine.client.images.remove(str(image.id), force=True)
