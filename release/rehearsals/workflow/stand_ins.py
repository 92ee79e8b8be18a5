"""The stand-ins a workflow rehearsal runs once for all its events, and the environment through
which act's jobs reach them: devpi with the TestPyPI and PyPI indexes behind fronts that do
trusted publishing as PyPI does, the CI's identity-token endpoint, the image registry, the Docker
engine (with the offline base image built once), and staged-release's own wheel for the jobs'
noxfiles. All are stopped on every way out of the block.

The variables (documented in the README, "Rehearsing the workflow"):
STAGED_RELEASE_INDEXES=stand-ins with STAGED_RELEASE_TESTPYPI_URL / STAGED_RELEASE_PYPI_URL (the
indexes' upload addresses), STAGED_RELEASE_REGISTRY (the registry), DOCKER_HOST (the engine),
ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN (the identity tokens), UV_FIND_LINKS (staged-release),
STAGED_RELEASE_GITHUB_API (GitHub's API: the release workflow's runs, fed from the events sent);
and, as secrets, TESTPYPI_API_TOKEN / PYPI_API_TOKEN for an index with no publisher, and the job
token GITHUB_TOKEN.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from release.artifacts.installed import pack_installed
from release.containers.base_image import ensure_base
from release.containers.engine import Note, open_engine
from release.containers.registry import local_registry
from release.context import FAIL_AT_ENV
from release.core import runner
from release.images.access import REGISTRY_ENV
from release.index.devpi import local_indexes
from release.index.profiles import TOKEN_VARIABLES
from release.rehearsals.workflow import github_api
from release.rehearsals.workflow._act import Environment
from release.rehearsals.workflow.trusted import (
    LIFETIME,
    IndexFront,
    Record,
    Workflow,
    trusted_publishing,
)
from release.validation.environments import outside_ours

# The registry stand-in takes any login; the jobs still present one, as on GitHub.
REGISTRY_SECRETS = ("DOCKER_USERNAME", "DOCKER_PASSWORD")
JOB_TOKEN = "GITHUB_TOKEN"  # act's `github.token`: the API stand-in takes it, the registry too


@dataclass(frozen=True)
class Credentials:
    """How the index fronts treat credentials (`--token-lifetime`, `--clock-step`,
    `--no-publisher`): None or () keeps PyPI's ways."""

    lifetime: float | None = None  # of a minted upload token
    clock_step: float | None = None  # seconds each read of an index ages everything
    no_publisher: tuple[str, ...] = ()  # indexes with no trusted publisher, an API token instead


@dataclass(frozen=True)
class Wanted:
    docker: bool  # the workflow has image or E2E jobs: an engine, a registry, the base image
    workflow: Workflow  # its jobs' environments and id-token permissions
    fronts: tuple[IndexFront, ...]  # the publishers registered on each index
    lifetime: float = LIFETIME  # of a minted upload token, in seconds
    clock_step: float = 0.0  # seconds the fronts' clock moves on at each read of an index
    repository: str = "rehearsal/project"  # OWNER/NAME: what GitHub's API stand-in answers for


@dataclass
class Running:
    env: dict[str, str]  # what act passes on to every job
    record: Record  # the trusted-publishing exchanges and uploads
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    devpi: str = ""  # the devpi server's base address, read for the audit
    registry: str | None = None
    github: github_api.Api | None = None  # GitHub's API stand-in: its runs, fed by the events


@contextmanager
def running(home: Path, wanted: Wanted, progress: Note) -> Iterator[Running]:
    """Everything started, then stopped whatever happens in the block."""
    with ExitStack() as stack:
        local = stack.enter_context(local_indexes(home / "indexes", progress))
        trusted = stack.enter_context(trusted_publishing(
            local, wanted.workflow, wanted.fronts, lifetime=wanted.lifetime,
            clock_step=wanted.clock_step,
        ))  # fmt: skip
        env = {**trusted.env(), "UV_FIND_LINKS": str(wheelhouse(home, progress))}
        token = secrets.token_urlsafe(18)  # the job token: a secret, as on GitHub
        api = github_api.Api(wanted.repository, token)
        env.update(stack.enter_context(github_api.serving(api)))
        found = Running(env, trusted.record, {JOB_TOKEN: token}, local.base_url, github=api)
        # An index's API token, as the workflow's token secret: only the job mapping it sees it.
        found.secrets.update(
            {TOKEN_VARIABLES[f.role]: f.api_token for f in wanted.fronts if f.api_token}
        )
        if wanted.docker:
            _docker(stack, found, home, progress)
        yield found


def _docker(stack: ExitStack, found: Running, home: Path, progress: Note) -> None:
    engine = stack.enter_context(open_engine(home / "docker", progress))
    progress("the offline base image, built once for every job")
    ensure_base(engine, progress)
    found.registry = stack.enter_context(local_registry(home / "registry", progress))
    found.env.update({**engine.environment(), REGISTRY_ENV: found.registry})
    password = secrets.token_urlsafe(18)  # what the jobs log in with: never shown
    # A name of its own: act masks every secret's value in every log line, and a common word
    # would be masked wherever it appears (the repository's owner, say).
    values = (f"user-{secrets.token_hex(4)}", password)
    found.secrets.update(dict(zip(REGISTRY_SECRETS, values, strict=True)))


def wheelhouse(home: Path, progress: Note) -> Path:
    """staged-release's own wheel for the jobs' noxfiles (`staged-release` in their script
    header): built from the source tree it runs from, else packed from its installation (an
    installed tool: the jobs then run the very code this command runs, whether or not that
    version is on PyPI)."""
    # A folder of its own each run: uv caches a find-links wheel by its path and name, and would
    # hand the jobs the wheel of an earlier run of the same version after the code changed.
    folder = home / f"wheelhouse-{secrets.token_hex(4)}"
    source = _source_tree()
    if source is not None:
        progress("staged-release's wheel, for the jobs' noxfiles")
        argv = [*runner.python_module("uv"), "build", "--wheel", "--out-dir", str(folder)]
        runner.run([*argv, "--quiet", str(source)], timeout=300)
    else:
        pack_installed("staged-release", folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _source_tree() -> Path | None:
    root = Path(__file__).resolve().parents[3]  # release/rehearsals/workflow/stand_ins.py
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and 'name = "staged-release"' in pyproject.read_text("utf-8"):
        return root
    return None


# What a developer's shell may hold that a runner would not: never handed to the jobs.
_KEPT_OUT = ("VIRTUAL_ENV", "TWINE_", "PYPI_API_TOKEN", "TESTPYPI_API_TOKEN", "DOCKER_",
             "GITHUB_", "ACTIONS_", "STAGED_RELEASE_", "UV_", "NOX_", "PIP_")  # fmt: skip


def job_environment(
    found: Running, tools: Path, repo: Path, folder: Path, fail_at: tuple[str, str] | None
) -> Environment:
    """What every job inherits (act passes its own environment on to self-hosted jobs): this
    machine's, less what a runner would not have, plus the stand-ins' variables, the stand-in
    actions' (the repository `repo`, this event's artifacts in `folder`) and uv's tool folders
    in `tools` for a job that sets up no uv (setup-uv gives each job its own: actions.TOOLS)."""
    from release.rehearsals.workflow import actions

    inherited = {k: v for k, v in os.environ.items() if not k.startswith(_KEPT_OUT)}
    path = outside_ours(inherited.get("PATH", ""))  # a runner has no suite environment
    env = {
        **inherited, **found.env, **actions.environment(repo, folder / "artifacts", tools),
        "PATH": os.pathsep.join([str(tools / "bin"), *path]),
        "NOX_DOWNLOAD_PYTHON": "never", "UV_PYTHON_DOWNLOADS": "never",
    }  # fmt: skip
    if fail_at is not None:
        env[FAIL_AT_ENV] = ":".join(fail_at)
    return Environment(env, dict(found.secrets))
