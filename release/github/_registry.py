"""What the release workflow's image jobs get of the registry (pure): `packages:` rights only
for ghcr.io (named, or the default ghcr.io/<owner>), where the job's own GITHUB_TOKEN logs in;
any other registry's secrets from the `registry` environment; and the password only in the
steps that log in (the post-publish E2E pulls in a step of its own, before its verify steps run
the project's tests)."""

from __future__ import annotations

from typing import Any

from release.config.images import ImagesSpec, on_ghcr
from release.pipeline.stages import Job

ENVIRONMENT = "registry"  # holds the credential of a registry other than ghcr.io
PACKAGES = {Job.PUSH: "write", Job.PULL: "read"}  # push, and pull what was pushed


def packages(job: Job, spec: ImagesSpec | None) -> dict[str, str]:
    """The `packages:` permission of a job (none unless its images go to ghcr.io)."""
    if spec is None or job not in PACKAGES or not on_ghcr(spec):
        return {}
    return {"packages": PACKAGES[job]}


def credentials(job: Job, spec: ImagesSpec | None) -> dict[str, str]:
    """The registry credential, only for the jobs that push or pull the project's images."""
    if spec is None or job not in PACKAGES:
        return {}
    names = (spec.username_env or "DOCKER_USERNAME", spec.password_env or "DOCKER_PASSWORD")
    if on_ghcr(spec):  # the job's own token, with packages: ... (no registry: ghcr.io/<owner>)
        return {names[0]: "${{ github.actor }}", names[1]: "${{ secrets.GITHUB_TOKEN }}"}
    return {name: f"${{{{ secrets.{name} }}}}" for name in names}


def needs_environment(credentials: dict[str, str]) -> bool:
    """A registry's own secrets live in an environment; the job's GITHUB_TOKEN needs none."""
    return any("secrets." in v and "GITHUB_TOKEN" not in v for v in credentials.values())


def pull(session: str, credentials: dict[str, str]) -> dict[str, Any]:
    """The published images pulled by digest in a step of their own, the only one holding the
    registry's password; the stage's own step then finds them in the engine."""
    run = f"nox -s {session} -- --pull-only"
    return {"name": "pull the published images", "run": run, "env": credentials}
