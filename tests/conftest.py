from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from release.cli import main

PROJECTS = Path(__file__).parent / "projects"
# The fixture projects' own tests run inside their rehearsals, never in this suite.
collect_ignore_glob = ["projects/*"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests must not see the CI they run in: no GitHub variables, no network for uv."""
    for name in ("GITHUB_ACTIONS", "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_OUTPUT",
                 "GITHUB_STEP_SUMMARY"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for name in ("GITHUB_REF", "GITHUB_REF_NAME", "GITHUB_REF_TYPE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("UV_OFFLINE", "1")
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")


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


DOCKER_TESTS = Path(__file__).parent / "integration" / "docker"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every Docker test in one xdist group: they share one engine and its data root (a second
    worker's engine would wait for the first's lock), so they run on one worker, in order."""
    for item in items:
        if item.path.is_relative_to(DOCKER_TESTS):
            item.add_marker(pytest.mark.xdist_group("docker"))
