"""A registry credential reaches the engine through its API and the registry over HTTP only:
never argv, logs, files or output (the canary test of test_secrets.py, for images).

The registry here is Debian's docker-registry with htpasswd authentication; the images stage
runs in public mode against it, past its preflight (which would read the real PyPI).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import bcrypt
import httpx
import pytest

from release.artifacts.build import build
from release.config.project import load_config
from release.containers.engine import Engine
from release.containers.registry import Credentials, Registry
from release.context import Run
from release.core import runner
from release.core.progress import Progress
from release.core.service import free_port
from release.images._tags import WHEEL_LABEL
from release.images.preflight import Candidate
from release.images.stage import publish
from release.index.profiles import RELEASE, Mode
from release.versioning.versions import parse_version
from tests.integration.examples import NOTES
from tests.integration.test_secrets import _record_processes

CANARY = "canary-registry-5e1f0c7d"
USER = "robot"


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[str]:
    """A registry that answers only to USER with the CANARY password."""
    hashed = bcrypt.hashpw(CANARY.encode(), bcrypt.gensalt(rounds=4)).decode()
    (tmp_path / "htpasswd").write_text(f"{USER}:{hashed}\n")
    address = f"127.0.0.1:{free_port()}"
    config = tmp_path / "registry.yml"
    config.write_text(
        f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {tmp_path / 'storage'}\n"
        f"http:\n  addr: {address}\nauth:\n  htpasswd:\n    realm: test\n"
        f"    path: {tmp_path / 'htpasswd'}\n"
    )
    service = runner.start(["docker-registry", "serve", str(config)], output=tmp_path / "reg.log")
    try:
        _wait_for(f"http://{address}/v2/")
        yield address
    finally:
        service.stop()


def test_a_registry_password_is_used_and_shown_nowhere(
    engine: Engine,
    base: str,
    guarded: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    root = _project(tmp_path / "notes-service", guarded, base)
    monkeypatch.setenv("ROBOT_USER", USER)
    monkeypatch.setenv("ROBOT_PASSWORD", CANARY)
    monkeypatch.setenv("DOCKER_HOST", engine.host)
    caplog.set_level(logging.DEBUG)
    started = _record_processes(monkeypatch)
    with httpx.Client(timeout=60) as http:
        run = _public_run(root, tmp_path / "state", http)
        manifest = build(root, run.dist, run.config.name, parse_version("0.1.0"))
        assert run.config.settings.images is not None
        spec, version = run.config.settings.images, parse_version("0.1.0")
        wheel = run.dist / manifest.wheel.filename
        candidate = Candidate(spec, manifest, version, frozenset(), wheel)
        published = publish(run, candidate)
        held = Registry(guarded, http=http, credentials=Credentials(USER, CANARY))
        labels = held.labels("notes-service", "0.1.0") or {}
    out, err = capfd.readouterr()
    assert [p.digest.startswith("sha256:") for p in published] == [True, True, True]
    assert labels[WHEEL_LABEL] == manifest.wheel.sha256  # the push really was authorised
    assert CANARY not in out + err + caplog.text
    assert started  # the recorder saw the build's processes
    assert not [argv for argv in started if CANARY in " ".join(argv)]
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and CANARY.encode() in p.read_bytes()]


def _project(root: Path, registry: str, base: str) -> Path:
    shutil.copytree(
        NOTES, root, ignore=shutil.ignore_patterns(".venv", ".nox", "dist", ".staged-release")
    )
    pyproject = root / "pyproject.toml"
    table = (
        f'registry = "{registry}"\nbase = "{base}"\npython = "3.11"\n'
        'username-env = "ROBOT_USER"\npassword-env = "ROBOT_PASSWORD"\n'
    )
    text = pyproject.read_text().replace('health = "/health"\n', f'health = "/health"\n{table}')
    pyproject.write_text(text.replace('"3.11", "3.12", "3.13"', '"3.12"'))
    return root


def _public_run(root: Path, state: Path, http: httpx.Client) -> Run:
    config = load_config(root)
    return Run(
        config, root / "dist", state, root, Mode.PUBLIC, RELEASE, None, dict(os.environ), http,
        Progress(quiet=True), state / "logs",
    )  # fmt: skip


def _wait_for(url: str, patience: float = 30) -> None:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 401:  # up, and asking who we are
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the registry at {url} never answered")
