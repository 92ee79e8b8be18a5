"""The images stage end to end on the example service, made one that writes under $HOME at
start-up, as the Done-when chain runs it: build, upload to the local PyPI stand-in,
validate_final, then `staged-release images --indexes local` builds, smoke-tests and pushes the
three variants to the local registry stand-in; a second run is a resume; a version tag holding
another wheel refuses the whole push.

Tests in this module run in file order: each builds on the state the previous one left.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uv

from release.artifacts.manifest import Manifest, load
from release.containers.engine import LABEL, Engine, push
from release.containers.registry import Registry, local_registry
from release.images._tags import VARIANTS, WHEEL_LABEL
from tests.conftest import git_tag
from tests.integration.examples import NOTES, writing_at_start

VERSION = "0.1.0"
PYTHON = "3.12"  # one cell is enough here: test_validate covers every Python


@dataclass(frozen=True)
class Released:
    root: Path
    published: list[dict[str, Any]]  # the images stage's JSON


@pytest.fixture(scope="module")
def released(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Released:
    """The example at 0.1.0, built, on the local PyPI, validated, and its images published."""
    # the example's files only: a rehearsal's state there (.staged-release/) is not the test's
    state = shutil.ignore_patterns(".staged-release", ".venv", ".nox")
    copy = tmp_path_factory.mktemp("notes") / "notes-service"
    root = Path(shutil.copytree(NOTES, copy, ignore=state))
    writing_at_start(root)  # the images must let it write under $HOME
    text = (root / "pyproject.toml").read_text()
    assert f'version = "{VERSION}"' in text  # the example is a final: images are for finals
    (root / "pyproject.toml").write_text(text.replace('"3.11", "3.12", "3.13"', f'"{PYTHON}"'))
    subprocess.run([uv.find_uv_bin(), "lock", "--quiet"], cwd=root, check=True)
    git_tag(root, f"v{VERSION}")
    staged_release(engine, root, "build")
    staged_release(engine, root, "upload", "--index", "pypi", "--allow-final-without-rc")
    staged_release(engine, root, "validate", "--index", "pypi", "--stage", "validate_final",
                   "--python", PYTHON)  # fmt: skip
    return Released(root, json.loads(staged_release(engine, root, "images", "--json").stdout))


def staged_release(
    engine: Engine, root: Path, *argv: str, expect: int = 0
) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, on the local stand-ins and the session's engine."""
    env = {**os.environ, "STAGED_RELEASE_INDEXES": "local", "DOCKER_HOST": engine.host}
    env.pop("UV_OFFLINE", None)
    done = subprocess.run(
        [sys.executable, "-m", "release", "-q", *argv, "--project", str(root)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == expect, done.stderr
    return done


def manifest(root: Path) -> Manifest:
    return load(root / "dist")


@contextmanager
def registry(released: Released) -> Iterator[Registry]:
    """The local registry stand-in again, on the state the images stage pushed to (one at a
    time per state: close it before running the stage)."""
    state = released.root / ".staged-release" / "registry"
    with local_registry(state) as address, httpx.Client(timeout=30) as http:
        yield Registry(address, http=http)


def test_three_variants_are_published_with_version_and_latest_tags(released: Released) -> None:
    by_variant = {p["variant"]: p for p in released.published}
    assert list(by_variant) == list(VARIANTS)
    suffix = {"raw": "", "nginx": "-nginx", "granian": "-granian"}
    for variant, image in by_variant.items():
        tags = [str(t).rsplit(":", 1)[1] for t in image["tags"]]
        assert tags == [f"{VERSION}{suffix[variant]}", f"latest{suffix[variant]}"]
        assert str(image["digest"]).startswith("sha256:")
        assert image["smoke_seconds"] is not None
        assert image["state"] == "pushed"


def test_each_variant_started_a_service_writing_under_home_and_kept_its_log(
    released: Released,
) -> None:
    logs = released.root / ".staged-release" / "logs" / "images"
    for variant in VARIANTS:
        log = (logs / f"smoke-{variant}.log").read_text()
        assert "wrote /home/app/.cache/notes-service/started" in log, log
        assert "wrote /var/lib/notes-service/started" in log, log


def test_the_registry_holds_each_variant_with_the_validated_wheels_sha256(
    released: Released,
) -> None:
    wheel = manifest(released.root).wheel.sha256
    with registry(released) as held:
        found = {_version_tag(p): _held(held, _version_tag(p)) for p in released.published}
    assert found == {_version_tag(p): (p["digest"], wheel) for p in released.published}


def _version_tag(image: dict[str, object]) -> str:
    return str(image["tags"][0]).rsplit(":", 1)[1]  # type: ignore[index]


def _held(held: Registry, tag: str) -> tuple[str | None, str | None]:
    return held.manifest_digest("notes-service", tag), (
        held.labels("notes-service", tag) or {}
    ).get(WHEEL_LABEL)


def test_the_image_holds_exactly_the_files_of_the_validated_wheel(
    released: Released, engine: Engine, label: str
) -> None:
    built = manifest(released.root)
    with zipfile.ZipFile(released.root / "dist" / built.wheel.filename) as archive:
        record = next(n for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
        hashed = {line for line in archive.read(record).decode().splitlines() if ",sha256=" in line}
    probe = (
        "import importlib.metadata as m; print(m.distribution('notes-service').read_text('RECORD'))"
    )
    image = str(released.published[0]["tags"][0])
    output = engine.client.containers.run(
        image, ["-c", probe], entrypoint="python", remove=True, labels={LABEL: label},
        network_mode="host",
    )  # fmt: skip
    installed = output.decode()
    assert hashed <= set(installed.splitlines())  # every file pip installed has the wheel's hash


def test_a_second_run_is_a_resume(released: Released, engine: Engine) -> None:
    again = json.loads(staged_release(engine, released.root, "images", "--json").stdout)
    assert [(p["variant"], p["digest"], p["smoke_seconds"], p["state"]) for p in again] == [
        (p["variant"], p["digest"], None, "identical") for p in released.published
    ]


def test_a_version_tag_holding_another_wheel_refuses_the_whole_push(
    released: Released, engine: Engine, base: str, tmp_path: Path
) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {base}\nLABEL {WHEEL_LABEL}={'0' * 64}\n")
    other, _ = engine.client.images.build(path=str(tmp_path), labels={LABEL: "test-other"})
    tags = (VERSION, "latest", f"{VERSION}-granian")
    with registry(released) as held:
        repository = f"{held.address}/notes-service"
        other.tag(repository, f"{VERSION}-granian")
        push(engine, repository, f"{VERSION}-granian")
        before = {t: held.manifest_digest("notes-service", t) for t in tags}
    done = staged_release(engine, released.root, "images", expect=2)
    assert f"notes-service:{VERSION}-granian already holds another wheel" in done.stderr
    assert f"tag v{VERSION}.post1 instead" in done.stderr
    with registry(released) as held:  # nothing was pushed, not even the other variants' tags
        assert {t: held.manifest_digest("notes-service", t) for t in tags} == before


@pytest.mark.usefixtures("released")  # after the stage ran
def test_nothing_the_stage_started_is_left(engine: Engine) -> None:
    assert _ours(engine) == []


def test_an_interrupted_run_leaves_no_container(
    released: Released, engine: Engine, tmp_path: Path
) -> None:
    """SIGTERM while a variant's smoke test waits (its health path never answers here)."""
    root = Path(shutil.copytree(released.root, tmp_path / "notes-service", symlinks=True))
    shutil.rmtree(root / ".staged-release" / "registry")  # so the images are built again
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('health = "/health"', 'health = "/never"'))
    env = {**os.environ, "STAGED_RELEASE_INDEXES": "local", "DOCKER_HOST": engine.host}
    argv = [sys.executable, "-m", "release", "-q", "images", "--project", str(root)]
    stage = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert _smoking(engine, stage), "the smoke test never started"
        stage.send_signal(signal.SIGTERM)
        _, err = stage.communicate(timeout=60)
    finally:
        stage.kill()
    assert stage.returncode == 143, err
    assert _ours(engine) == []


def _smoking(engine: Engine, stage: subprocess.Popen[str], patience: float = 300) -> bool:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline and stage.poll() is None:
        if _ours(engine):
            return True
        time.sleep(0.1)
    return False


def _ours(engine: Engine) -> list[str]:
    """Containers the images stage labelled, running or not."""
    # sparse: no second request per container, which may be gone by then (another test's)
    found = engine.client.containers.list(all=True, filters={"label": LABEL}, sparse=True)
    values = [str(c.attrs["Labels"][LABEL]) for c in found]
    return [v for v in values if v.startswith("images-")]
