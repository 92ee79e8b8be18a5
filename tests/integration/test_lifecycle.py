"""The local index server never outlives the run: not on errors, timeouts, Ctrl-C or kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from release.artifacts.manifest import DistFile, Manifest
from release.core.errors import NotYetListed
from release.index.devpi import local_indexes
from release.index.simple_api import fetch_listing
from release.upload._listing import wait_until_listed
from tests.integration.conftest import left_running, processes

HOLDER = """
import signal, sys, time
from pathlib import Path
from release.cli import _on_signal
from release.index.devpi import local_indexes
signal.signal(signal.SIGTERM, _on_signal)
with local_indexes(Path(sys.argv[1])) as endpoints:
    print(endpoints.base_url, flush=True)
    time.sleep(300)
"""


def servers(state: Path) -> list[int]:
    """Pids of devpi-server processes serving from `state`."""
    return processes(
        lambda argv: (
            any(b"devpi-server" in a for a in argv) and str(state).encode() in b" ".join(argv)
        )
    )


def gone(state: Path) -> bool:
    return not left_running(lambda: servers(state), patience=30.0)


def test_a_timeout_inside_the_run_stops_the_server(tmp_path: Path) -> None:
    nothing = Manifest(
        "never-uploaded", "1.0.0rc1", (DistFile("never_uploaded-1.0.0rc1.tar.gz", "0" * 64, 1),)
    )
    running: list[int] = []

    def wait_in_a_run() -> None:
        with local_indexes(tmp_path) as endpoints, httpx.Client() as http:
            running.extend(servers(tmp_path))
            index = endpoints.index("testpypi")
            wait_until_listed(
                lambda: fetch_listing(http, index.simple_url, "never-uploaded"), nothing,
                where=index.name, budget=0.5, progress=lambda _: None,
            )  # fmt: skip

    with pytest.raises(NotYetListed):
        wait_in_a_run()
    assert running
    assert gone(tmp_path)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_an_interrupted_or_killed_run_leaves_no_server(tmp_path: Path, signum: int) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    ) as holder:  # leaving the block closes its pipe and reaps it
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().startswith("http://127.0.0.1:")
            assert servers(tmp_path)
            holder.send_signal(signum)
            holder.wait(60)
            assert gone(tmp_path)
        finally:
            holder.kill()
