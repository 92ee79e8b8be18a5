"""Docker fixtures: one engine for the whole session (the machine's own when one answers, else a
private dockerd whose data root persists in the user's cache, so the base image is built once per
machine), and the base image. Without an engine these tests skip, saying why.

Under pytest-xdist each worker runs a private engine of its own, on a data root of its own
(the first worker's is the user's default one): two engines on one data root would wait for each
other's lock, while two side by side on two roots run Docker tests on both workers at once."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from release.containers.base_image import ensure_base
from release.containers.engine import Engine, default_data_root, open_engine
from release.core.errors import EngineUnavailable
from tests.integration.conftest import processes

REQUIRED = "STAGED_RELEASE_REQUIRE_DOCKER"  # set by .ci/run


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with ExitStack() as stack:
        try:
            state = tmp_path_factory.mktemp("engine")
            found = stack.enter_context(open_engine(state, data_root=worker_data_root()))
        except EngineUnavailable as exc:
            why = f"no Docker engine: {exc.message} (hint: {exc.hint})"
            if os.environ.get(REQUIRED):  # CI: a missing engine must not pass as skipped tests
                pytest.fail(why)
            pytest.skip(why)
        yield found


def worker_data_root() -> Path:
    """The user's default data root for the first xdist worker (or without xdist), a sibling
    named after the worker for each other one (built once per machine, as the default is)."""
    default = default_data_root(os.environ)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return default if worker == "gw0" else default.with_name(f"{default.name}-{worker}")


@pytest.fixture(scope="session")
def base(engine: Engine) -> str:
    return ensure_base(engine)


@pytest.fixture
def label() -> str:
    """A label value of this test's own: what it creates is found (and removed) by it."""
    return f"test-{uuid.uuid4().hex[:12]}"


def engine_processes(run: Path) -> list[int]:
    """Pids of dockerd, containerd and shim processes whose command line names `run`."""

    def ours(argv: list[bytes]) -> bool:
        program = Path(argv[0].decode(errors="replace")).name
        return program.startswith(("dockerd", "containerd")) and str(run).encode() in b" ".join(
            argv
        )

    return processes(ours)


def run_dir(engine: Engine) -> Path:
    """The private engine's directory: its socket lies in it."""
    return Path(engine.host.removeprefix("unix://")).parent
