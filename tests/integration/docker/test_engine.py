"""A private engine never outlives its run, and what a run labels it can remove again."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from release.containers.engine import (
    LABEL,
    Engine,
    dockerd_program,
    private_engine,
    remove_labelled,
    run_container,
    start_container,
)
from release.core.errors import CommandFailed, EngineUnavailable
from tests.integration.conftest import left_running
from tests.integration.docker.conftest import engine_processes, run_dir

HOLDER = """
import signal, sys, time
from pathlib import Path
from release.cli import _on_signal
from release.containers.engine import private_engine
signal.signal(signal.SIGTERM, _on_signal)
where = Path(sys.argv[1])
with private_engine(where / "state", data_root=where / "data") as engine:
    print(engine.host, flush=True)
    time.sleep(300)
"""


@pytest.fixture
def can_start_private() -> None:
    try:
        dockerd_program("this test starts a private engine")
    except EngineUnavailable as exc:
        pytest.skip(exc.message)


def gone(run: Path) -> bool:
    return not left_running(lambda: engine_processes(run), patience=30.0)


@pytest.mark.usefixtures("can_start_private")
@pytest.mark.parametrize("fails", [False, True], ids=["block-ends", "block-raises"])
def test_a_private_engine_stops_with_its_block(tmp_path: Path, fails: bool) -> None:
    seen: list[Path] = []

    def hold() -> None:
        with private_engine(tmp_path / "state", data_root=tmp_path / "data") as engine:
            assert engine.private
            assert engine.client.ping()
            seen.append(run_dir(engine))
            assert engine_processes(seen[0])  # dockerd and its containerd
            if fails:
                raise RuntimeError("a stage failed")

    if fails:
        with pytest.raises(RuntimeError, match="a stage failed"):
            hold()
    else:
        hold()
    assert gone(seen[0])
    assert not seen[0].exists()
    assert (tmp_path / "state" / "dockerd.log").stat().st_size > 0


@pytest.mark.usefixtures("can_start_private")
def test_a_nested_block_on_the_same_data_root_shares_the_engine(tmp_path: Path) -> None:
    """The data root's flock must not make a process wait for itself (a session fixture and a
    module fixture, say)."""
    with private_engine(tmp_path / "outer", data_root=tmp_path / "data") as outer:
        with private_engine(tmp_path / "inner", data_root=tmp_path / "data") as inner:
            assert inner is outer
        assert outer.client.ping()
        assert engine_processes(run_dir(outer))


@pytest.mark.usefixtures("can_start_private")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_a_terminated_or_killed_holder_leaves_no_engine(tmp_path: Path, signum: int) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[3])},
    ) as holder:  # leaving the block closes its pipe and reaps it
        try:
            assert holder.stdout is not None
            host = holder.stdout.readline().strip()
            assert host.startswith("unix:///tmp/sr-dockerd-")
            run = Path(host.removeprefix("unix://")).parent
            assert engine_processes(run)
            holder.send_signal(signum)
            holder.wait(60)
            assert gone(run)
        finally:
            holder.kill()


def test_remove_labelled_removes_only_what_carries_the_value(
    engine: Engine, base: str, label: str
) -> None:
    mine = start_container(engine, base, ["sleep", "300"], label=label)
    volume = engine.client.volumes.create(labels={LABEL: label})
    other = start_container(engine, base, ["sleep", "300"], label=f"{label}-other")
    try:
        remove_labelled(engine, label)
        selector: dict[str, str | list[str] | bool] = {"label": f"{LABEL}={label}"}
        assert engine.client.containers.list(all=True, filters=selector) == []
        assert engine.client.volumes.list(filters=selector) == []
        other.reload()
        assert other.status == "running"
    finally:
        for leftover in (mine, other):
            remove_labelled(engine, leftover.labels[LABEL])
        if volume.id in [v.id for v in engine.client.volumes.list()]:
            volume.remove(force=True)


@pytest.fixture
def loopback_server() -> Iterator[int]:
    """An HTTP server on 127.0.0.1 of this machine, answering "hello from the host"."""

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"hello from the host")

        def log_message(self, *args: object) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield server.server_address[1]
        server.shutdown()


def test_a_container_reaches_services_on_the_hosts_loopback(
    engine: Engine, base: str, label: str, loopback_server: int
) -> None:
    url = f"http://127.0.0.1:{loopback_server}/"
    fetch = f"import urllib.request as u; print(u.urlopen({url!r}).read().decode())"
    done = run_container(engine, base, ["python3", "-c", fetch], label=label)
    assert done.stdout == "hello from the host\n"


def test_a_failing_container_raises_with_its_output_and_is_removed(
    engine: Engine, base: str, label: str
) -> None:
    with pytest.raises(CommandFailed) as caught:
        run_container(engine, base, ["sh", "-c", "echo broken >&2; exit 3"], label=label)
    assert (caught.value.returncode, caught.value.tail) == (3, "broken")
    assert engine.client.containers.list(all=True, filters={"label": f"{LABEL}={label}"}) == []
