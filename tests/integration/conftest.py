"""Integration fixtures: a real devpi-server on 127.0.0.1 stands in for TestPyPI and PyPI.

Projects are written per test with unique names, so tests share one server without meeting.
"""

from __future__ import annotations

import os
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from release.artifacts.build import build
from release.artifacts.manifest import Manifest
from release.config.project import load_config
from release.context import Run
from release.core.progress import Progress
from release.index.devpi import local_indexes
from release.index.profiles import LOCAL, LocalEndpoints, Mode
from release.versioning.versions import parse_version

HERE = Path(__file__).parent
DOCKER_MODULES = ("docker", "test_images_build.py", "test_images.py")  # they need an engine


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under here is an integration test (a conftest's `pytestmark` marks nothing);
    those that need a Docker engine are `docker` tests too (CI runs them in one Python's cell)."""
    for item in items:
        where = Path(item.path)
        if HERE in where.parents:
            item.add_marker(pytest.mark.integration)
            if any(part in DOCKER_MODULES for part in where.relative_to(HERE).parts):
                item.add_marker(pytest.mark.docker)


@pytest.fixture(autouse=True)
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """uv must reach the local indexes (and PyPI for build backends): no UV_OFFLINE here."""
    monkeypatch.delenv("UV_OFFLINE", raising=False)


@pytest.fixture(scope="session")
def stand_ins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEndpoints]:
    with local_indexes(tmp_path_factory.mktemp("indexes")) as endpoints:
        yield endpoints


def processes(matches: Callable[[list[bytes]], bool]) -> list[int]:
    """Pids of the live processes whose argv `matches`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile, or not a process
        if argv[0] and matches(argv):
            found.append(int(proc.name))
    return found


def left_running(find: Callable[[], list[int]], patience: float = 10.0) -> list[int]:
    """The pids `find` still reports once they are gone or `patience` seconds have passed."""
    deadline = time.monotonic() + patience
    while (pids := find()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return pids


def unique(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def write_project(
    root: Path,
    name: str,
    version: str,
    *,
    requires: tuple[str, ...] = (),
    body: str = "",
    checks: tuple[str, ...] = ("compile", "import"),
    extra: str = "",
) -> Path:
    """A tiny hatchling project; `body` goes into its module, `extra` after its pyproject."""
    module = name.replace("-", "_")
    (root / "src" / module).mkdir(parents=True, exist_ok=True)
    (root / "src" / module / "__init__.py").write_text(f"VERSION = {version!r}\n{body}\n")
    deps = ", ".join(f'"{r}"' for r in requires)
    check_names = ", ".join(f'"{c}"' for c in checks)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(f"""\
            [project]
            name = "{name}"
            version = "{version}"
            description = "a fixture"
            readme = {{text = "A fixture project.", content-type = "text/plain"}}
            dependencies = [{deps}]

            [build-system]
            requires = ["hatchling"]
            build-backend = "hatchling.build"

            [tool.hatch.build.targets.wheel]
            packages = ["src/{module}"]

            [tool.staged-release]
            checks = [{check_names}]
            """)
        + extra
    )
    # What `uv lock` records for the project itself: enough for the version check.
    lock = f'version = 1\n\n[[package]]\nname = "{name}"\nversion = "{version}"\n'
    (root / "uv.lock").write_text(lock + 'source = { editable = "." }\n')
    return root


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30.0) as client:
        yield client


def make_run(root: Path, stand_ins: LocalEndpoints, http: httpx.Client, state: Path) -> Run:
    """A run on the stand-ins for the project at `root`; dependencies from the local PyPI."""
    config = load_config(root)
    return Run(
        config, root / "dist", state, root, Mode.LOCAL, LOCAL, stand_ins, dict(os.environ), http,
        Progress(quiet=True), state / "logs",
    )  # fmt: skip


def build_at(root: Path, name: str, version: str, **kwargs: object) -> Manifest:
    write_project(root, name, version, **kwargs)  # type: ignore[arg-type]
    return build(root, root / "dist", name, parse_version(version))
