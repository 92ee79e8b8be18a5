from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from release.cli import main
from release.core import _leftovers
from release.index.profiles import TOKEN_VARIABLES
from release.upload._oidc import AMBIENT_VARIABLES
from release.validation.environments import INDEX_VARIABLES

PROJECTS = Path(__file__).parent / "projects"
# The fixture projects' own tests run inside their rehearsals, never in this suite.
collect_ignore_glob = ["projects/*"]


# What a developer's shell or a CI runner could steer the code under test with: removed when the
# suite loads, before any fixture (session-wide ones too), test module or process a test starts,
# so none of it can turn a test green or red. A test that wants one sets it itself.
OUTSIDE_PREFIXES = (
    "GITHUB_",  # the event, ref, step summary, outputs, job, token, API: plan, summary, gates
    "ACTIONS_",  # ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN: an identity token for trusted publishing
    "RUNNER_",  # RUNNER_TEMP and kin: the rehearsal's stand-in actions read them
    "INPUT_",  # an action's inputs
    "STAGED_RELEASE_",  # our own switches: indexes mode, stand-in URLs, --fail-at, registry...
    "TWINE_",  # another repository or a credential for every upload
    "UV_",  # another index, another Python, locked/frozen modes, offline or not
    "NOX_",  # nox's defaults: backend, sessions, interpreter downloads
)
OUTSIDE_NAMES = (
    *TOKEN_VARIABLES.values(),  # PYPI_API_TOKEN, TESTPYPI_API_TOKEN: an upload's token
    "DOCKER_USERNAME", "DOCKER_PASSWORD",  # the registry's login (release.images.access)
    *AMBIENT_VARIABLES,  # a CI whose identity token an upload would fetch (GITLAB_CI, ...)
    "CI",  # tools switch modes on it
    *INDEX_VARIABLES,  # PIP_INDEX_URL, PIP_FIND_LINKS, PYTHONPATH...: another index, other code
)  # fmt: skip
# Kept, though they match: the harness that runs this suite sets them on purpose.
KEPT = frozenset({
    "STAGED_RELEASE_REQUIRE_DOCKER",  # .ci/run: the Docker fixtures fail instead of skipping
    # The validation cell that runs this suite as this project's own `tests` check: its pin
    # reads them in every Python the tests start, which then import the installed package.
    "STAGED_RELEASE_MIRROR", "STAGED_RELEASE_MODULES",
    _leftovers.MARKER,  # the mark by which whatever runs us finds what our tests leave running
    "UV_CACHE_DIR",  # where uv keeps its cache: no result depends on it
    "UV_PYTHON_INSTALL_DIR",  # this machine's uv-managed Pythons, as PATH and PYENV_ROOT say
    "UV_NATIVE_TLS",  # how this machine reaches the registries, as PIP_CERT and *_PROXY do
})  # fmt: skip
# Pinned instead: the suite never downloads an interpreter, whatever the shell says.
PINNED = {"UV_PYTHON_DOWNLOADS": "never", "NOX_DOWNLOAD_PYTHON": "never"}


def outside(name: str) -> bool:
    """Whether `name` steers the code under test from outside (and is not the harness's)."""
    return name not in KEPT and (name.startswith(OUTSIDE_PREFIXES) or name in OUTSIDE_NAMES)


for _name in [name for name in os.environ if outside(name)]:
    del os.environ[_name]
os.environ.update(PINNED)


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network for uv: the integration tests' own fixture lifts this for their local indexes."""
    monkeypatch.setenv("UV_OFFLINE", "1")


@pytest.fixture
def step_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The job summary file a stage command writes to, as GitHub Actions names it."""
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return summary


@pytest.fixture
def project(tmp_path: Path) -> Callable[[str], Path]:
    """A fresh copy of a fixture project, outside any git repository."""

    def copy(scenario: str) -> Path:
        return Path(shutil.copytree(PROJECTS / scenario, tmp_path / scenario))

    return copy


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `staged-release ARGV` in-process: (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def git_tag(root: Path, *tags: str) -> None:
    """Make `root` a repository with one commit carrying `tags`."""
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]

    def git(*args: str) -> None:
        subprocess.run(["git", *ident, "-C", str(root), *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "fixture")
    for tag in tags:
        git("tag", tag)
