"""What a run does with containers in an engine: starts them, runs one to its end like a
command, pushes images, and removes what it labelled.

Everything we create carries the label LABEL, so `remove_labelled` finds it again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass

import docker
from docker.models.containers import Container

from release.core import runner
from release.core.errors import CommandTimedOut, RegistryUnavailable
from release.core.text import redact, secret_values

LABEL = "dev.staged-release"
_POLL = 0.2


@dataclass(frozen=True)
class Engine:
    client: docker.DockerClient
    host: str  # the DOCKER_HOST URL, for `docker` commands run through the runner
    private: bool  # started by us for this run (and stopped after it)

    def environment(self) -> dict[str, str]:
        return {"DOCKER_HOST": self.host}


def remove_labelled(engine: Engine, value: str) -> None:
    """Remove the containers (running or not), volumes and networks labelled LABEL=value."""
    selector: dict[str, str | list[str] | bool] = {"label": f"{LABEL}={value}"}
    for container in engine.client.containers.list(all=True, filters=selector, sparse=True):
        with suppress(docker.errors.NotFound):  # gone meanwhile (it ended with --rm, say)
            container.remove(force=True, v=True)
    for volume in engine.client.volumes.list(filters=selector):
        volume.remove(force=True)
    for network in engine.client.networks.list(filters=selector):
        network.remove()


def start_container(
    engine: Engine,
    image: str,
    command: Sequence[str] | None = None,
    *,
    label: str,
    name: str | None = None,
    environment: Mapping[str, str] | None = None,
) -> Container:
    """A detached container on the host's network (services bind 127.0.0.1), labelled."""
    return engine.client.containers.run(
        image, list(command) if command else None, detach=True, network_mode="host",
        labels={LABEL: label}, name=name, environment=dict(environment or {}),
    )  # fmt: skip


def run_container(
    engine: Engine,
    image: str,
    command: Sequence[str],
    *,
    label: str,
    environment: Mapping[str, str] | None = None,
    budget: float = runner.DEFAULT_BUDGET,
    check: bool = True,
) -> runner.Completed:
    """Run a labelled container to its end and remove it; like runner.run for a command."""
    argv = ("docker", "run", image, *command)
    secrets = secret_values({**os.environ, **(environment or {})})
    container = start_container(engine, image, command, label=label, environment=environment)
    try:
        code = _wait_exit(container, argv, budget, secrets)
        done = runner.Completed(argv, code, _logs(container, "stdout"), _logs(container, "stderr"))
    finally:
        container.remove(force=True)
    if check and code != 0:
        raise runner.failure(done, secrets)
    return done


def _wait_exit(
    container: Container, argv: Sequence[str], budget: float, secrets: frozenset[str]
) -> int:
    deadline = time.monotonic() + budget
    while True:
        container.reload()
        if container.status in ("exited", "dead"):
            return int(container.attrs["State"]["ExitCode"])
        runner.CANCEL.check()  # a signal stops the run: the caller's finally removes it
        if time.monotonic() > deadline:
            tail = redact(_logs(container, "stderr")[-2000:], secrets)
            raise CommandTimedOut([redact(" ".join(argv), secrets)], budget, tail)
        time.sleep(_POLL)


def _logs(container: Container, stream: str) -> str:
    data = container.logs(stdout=stream == "stdout", stderr=stream == "stderr")
    return data.decode(errors="replace")


def push(engine: Engine, repository: str, tag: str) -> str:
    """Push `repository:tag` and return the manifest digest the registry now holds for it."""
    digest = ""
    for event in engine.client.images.push(repository, tag, stream=True, decode=True):
        if "error" in event:  # the engine reports failures inside its progress stream
            raise RegistryUnavailable(
                f"pushing {repository}:{tag} failed: {event['error']}",
                hint="check that the registry answers and accepts this repository",
            )
        digest = event.get("aux", {}).get("Digest", digest)
    return str(digest)
