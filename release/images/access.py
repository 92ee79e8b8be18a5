"""The registry a run pushes to and pulls from: the local stand-in with --indexes local, else the
configured one, with the credential from the environment handed to the engine through its API
(never argv, never disk). The images stage and the post-publish E2E both go through here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from release.config.images import OWNER_ENV, ImagesSpec, default_registry
from release.containers.engine import Engine
from release.containers.registry import Credentials, local_registry
from release.context import Run
from release.core.errors import ConfigError, CredentialMissing
from release.index.profiles import Mode

USERNAME_ENV, PASSWORD_ENV = "DOCKER_USERNAME", "DOCKER_PASSWORD"  # unless the settings name others
REGISTRY_ENV = (
    "STAGED_RELEASE_REGISTRY"  # the running registry, with STAGED_RELEASE_INDEXES=stand-ins
)


@contextmanager
def registry_address(run: Run, spec: ImagesSpec) -> Iterator[str]:
    """The local stand-in with --indexes local (the one switch), else the configured registry."""
    if run.mode is Mode.LOCAL:
        with local_registry(run.state / "registry", run.progress) as address:
            yield address
        return
    if run.mode is Mode.STAND_INS:  # the workflow rehearsal's running registry
        yield _running_registry(run)
        return
    named = spec.registry or default_registry(run.env)
    if named is None:
        raise ConfigError(
            f"[tool.staged-release.images] names no registry, and {OWNER_ENV} is not set (the "
            "default, ghcr.io/<owner>, is known only in a GitHub Actions job)",
            hint='set registry = "ghcr.io/you" in [tool.staged-release.images] '
            "(or rehearse with --indexes local)",
        )
    yield named


def _running_registry(run: Run) -> str:
    address = run.env.get(REGISTRY_ENV, "")
    if not address:
        raise ConfigError(
            f"STAGED_RELEASE_INDEXES=stand-ins names no registry: {REGISTRY_ENV} is not set",
            hint=f"set {REGISTRY_ENV} to the running registry (127.0.0.1:PORT)",
        )
    return address


def registry_credentials(run: Run, spec: ImagesSpec, address: str) -> Credentials | None:
    if run.mode is Mode.LOCAL:
        return None  # the stand-in needs none and never gets yours
    names = (spec.username_env or USERNAME_ENV, spec.password_env or PASSWORD_ENV)
    username, password = (run.env.get(n, "") for n in names)
    if not (username and password):
        raise CredentialMissing(
            f"no credential for pushing images to {address}",
            hint=f"set {names[0]} and {names[1]} in the environment (never in argv)",
        )
    return Credentials(username, password)


def login(run: Run, spec: ImagesSpec, engine: Engine, address: str) -> Credentials | None:
    """The credential for `address`, given to the engine (None for the stand-in, which needs
    none and never gets yours)."""
    credentials = registry_credentials(run, spec, address)
    if credentials is not None:
        engine.client.login(credentials.username, credentials.password, registry=address)
    return credentials
