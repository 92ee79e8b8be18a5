"""`[tool.staged-release.images]`: what the images stage builds, where it pushes, from what.

Without the table a project has no images and the stage is skipped, saying so. The schema
(settings.schema.json) has already checked the types when this reads the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

EMBEDDED_BASE_PYTHON = "3.11"  # the debootstrap bookworm base's interpreter
GHCR = "ghcr.io"  # GitHub's registry: the default, under the repository's owner
OWNER_ENV = "GITHUB_REPOSITORY_OWNER"  # set in every GitHub Actions job


@dataclass(frozen=True)
class ImagesSpec:
    app: str  # the ASGI application, module:attr
    name: str | None = None  # the image repository under the registry (None: the distribution)
    port: int = 8000
    health: str = "/health"  # answers 2xx when the service is up
    system_packages: tuple[str, ...] = ()  # Debian packages the service needs at run time
    registry: str | None = None  # e.g. "ghcr.io/org"; None: ghcr.io/<owner> on GitHub Actions
    base: str = "python:3.13-slim"  # on real CI; the embedded debootstrap base locally
    python: str = "3.13"  # the base image's Python, which the wheelhouse is built for
    username_env: str | None = None  # the registry's credentials, by variable name
    password_env: str | None = None


def parse_images(table: dict[str, Any] | None) -> ImagesSpec | None:
    if table is None:
        return None
    return ImagesSpec(
        app=table["app"],
        name=table.get("name"),
        port=int(table.get("port", 8000)),
        health=table.get("health", "/health"),
        system_packages=tuple(table.get("system-packages", ())),
        registry=table.get("registry"),
        base=table.get("base", "python:3.13-slim"),
        python=table.get("python", "3.13"),
        username_env=table.get("username-env"),
        password_env=table.get("password-env"),
    )


def on_ghcr(spec: ImagesSpec) -> bool:
    """Whether the images go to ghcr.io: named so, or no registry named (the default)."""
    return spec.registry is None or spec.registry.split("/")[0] == GHCR


def default_registry(env: Mapping[str, str]) -> str | None:
    """ghcr.io/<owner> in a GitHub Actions job (ghcr.io takes lower-case names only), else None:
    outside GitHub the owner is not known, and a guess would push somewhere unintended."""
    owner = env.get(OWNER_ENV, "")
    return f"{GHCR}/{owner.lower()}" if owner else None


def registry_note(spec: ImagesSpec | None) -> str | None:
    """What `init` and `workflow` say when the images go to the default registry."""
    if spec is None or spec.registry is not None:
        return None
    return (
        "note: [tool.staged-release.images] names no registry: the workflow pushes to "
        f'{GHCR}/<owner> with the job\'s own token (set registry = "..." to push elsewhere)'
    )
