"""The suite's conftest keeps the outside out: what a developer's shell or a CI runner sets to
steer the code under test never reaches a test; what the harness sets on purpose does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
# A CI runner's and a maintainer's shell: each of these would change what some test sees.
STEERING = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_STEP_SUMMARY": "/nonexistent/summary.md",
    "GITHUB_TOKEN": "ghs_outside",
    "GITHUB_REF": "refs/tags/v9.9.9",
    "ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:9/token",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "outside",
    "STAGED_RELEASE_INDEXES": "stand-ins",
    "STAGED_RELEASE_FAIL_AT": "build",
    "PYPI_API_TOKEN": "pypi-outside",
    "TESTPYPI_API_TOKEN": "pypi-outside",
    "TWINE_PASSWORD": "outside",
    "DOCKER_PASSWORD": "outside",
    "GITLAB_CI": "true",
    "UV_INDEX_URL": "http://127.0.0.1:9/simple",
    "UV_PYTHON": "3.9",
    "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
    "NOX_DEFAULT_VENV_BACKEND": "conda",
    "PYTHONPATH": "/nonexistent",
}
# Set by .ci/run and by the machine: the tests' own fixtures read them.
HARNESS = {"STAGED_RELEASE_REQUIRE_DOCKER": "1", "DOCKER_HOST": "unix:///nonexistent/docker.sock"}
# Whatever the shell says, no interpreter is downloaded.
PINNED = {"UV_PYTHON_DOWNLOADS": "never", "NOX_DOWNLOAD_PYTHON": "never"}
GIVEN = {"UV_PYTHON_DOWNLOADS": "automatic", "NOX_DOWNLOAD_PYTHON": "auto"}

PROBE = """
import json, os
from pathlib import Path

def test_probe():
    Path({out!r}).write_text(json.dumps({{n: os.environ.get(n) for n in {names!r}}}))
"""


def _seen(tmp_path: Path, *plugin: str) -> dict[str, str | None]:
    """What a test run by pytest in a fresh process sees of STEERING, HARNESS and PINNED, set in
    that process's environment."""
    out = tmp_path / f"seen{len(plugin)}.json"
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE.format(out=str(out), names=[*STEERING, *HARNESS, *PINNED]))
    env = {**os.environ, **STEERING, **HARNESS, **GIVEN}
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin, str(probe)]
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    seen: dict[str, str | None] = json.loads(out.read_text())
    return seen


def test_without_the_conftest_a_test_sees_the_shell(tmp_path: Path) -> None:
    """The control: the probe does see what its process was given."""
    assert _seen(tmp_path) == {**STEERING, **HARNESS, **GIVEN}


def test_the_conftest_clears_the_outside_and_keeps_the_harness(tmp_path: Path) -> None:
    seen = _seen(tmp_path, "-p", "tests.conftest")
    assert {name: seen[name] for name in STEERING} == dict.fromkeys(STEERING)
    assert {name: seen[name] for name in HARNESS} == HARNESS
    assert {name: seen[name] for name in PINNED} == PINNED
