"""The Docker engine a run uses: the one answering at DOCKER_HOST or the default socket, or else
a private dockerd started for the run and stopped after it.

A private engine touches nothing of the host's networking (no bridge, no iptables rules, no IP
forwarding: every container uses the host's network and services bind 127.0.0.1) and reads no
host configuration. Its socket and exec-root live in a short temporary directory (unix socket
paths are limited to ~107 bytes); its data root persists in the user's cache directory so images
are reused, and an flock keeps two runs from sharing it. Like the local indexes it is stopped on
every way out: the block's end, errors, signals (runner's cancellation) and our death (PDEATHSIG).
Its run directory's housekeeping is in release.containers._housekeeping.

What a run does with containers (start, run to the end, push, remove by label) is in
release.containers._containers, re-exported here: everything we create carries the label LABEL.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager, suppress
from pathlib import Path

import docker

from release.containers._containers import LABEL as LABEL
from release.containers._containers import Engine as Engine
from release.containers._containers import push as push
from release.containers._containers import remove_labelled as remove_labelled
from release.containers._containers import run_container as run_container
from release.containers._containers import start_container as start_container
from release.containers._housekeeping import run_dir
from release.core import runner
from release.core.caches import cache_dir
from release.core.errors import EngineUnavailable
from release.core.locks import exclusive
from release.core.service import GaveUp, process_exit, wait_until
from release.core.text import plain

DEFAULT_HOST = "unix:///var/run/docker.sock"
READY_TIMEOUT = 60.0  # seconds for a private engine to answer (measured: under 5 s)
API_TIMEOUT = 300  # seconds per API call; imports and pushes of a few hundred MB fit
BUILD_CACHE = "10GB"  # what BuildKit's collector keeps of its cache in a private engine
_PROBE_TIMEOUT = 2
_CLEANUP_TIMEOUT = 10
# What a failed call into the SDK raises: its own errors, and requests' for a dead socket
# (requests' exceptions are OSErrors).
_ENGINE_ERRORS = (docker.errors.DockerException, OSError)
_SBIN = ("/usr/sbin", "/usr/local/sbin")  # dockerd lives there, often off a user's PATH

Note = Callable[[str], None]  # where a line for the user goes (a Progress, say)
# The private engines this process runs, by data root (resolved).
_RUNNING: dict[Path, Engine] = {}


def _quiet(_: str) -> None:
    pass


@contextmanager
def open_engine(
    state: Path, progress: Note = _quiet, *, data_root: Path | None = None
) -> Iterator[Engine]:
    """The engine answering at DOCKER_HOST (or the default socket), else a private one."""
    host = os.environ.get("DOCKER_HOST") or DEFAULT_HOST
    if _answers(host):
        with closing(_client(host, API_TIMEOUT)) as client:
            yield Engine(client, host, private=False)
        return
    why = f"no Docker engine answers at {host}"
    with private_engine(state, progress, data_root=data_root, why=why) as engine:
        yield engine


@contextmanager
def private_engine(
    state: Path,
    progress: Note = _quiet,
    *,
    data_root: Path | None = None,
    why: str = "a private Docker engine was asked for",
) -> Iterator[Engine]:
    """A dockerd of our own for the block; its images persist in `data_root`.

    A block nested in one that already runs an engine on the same data root (in this process)
    shares that engine: the flock would otherwise make it wait for itself.
    """
    dockerd = dockerd_program(why)
    root = (data_root or default_data_root(os.environ)).resolve()
    if (running := _RUNNING.get(root)) is not None:
        yield running
        return
    root.mkdir(parents=True, exist_ok=True)
    state.mkdir(parents=True, exist_ok=True)
    with exclusive(lock_for(root), "the Docker data root", progress), run_dir(progress) as run:
        progress(f"starting a private Docker engine (images kept in {root})")
        service = runner.start(dockerd_argv(dockerd, run, root), output=state / "dockerd.log")
        with _serving(service, host_in(run), state / "dockerd.log") as engine, _known(root, engine):
            yield engine


@contextmanager
def _known(root: Path, engine: Engine) -> Iterator[None]:
    _RUNNING[root] = engine
    try:
        yield
    finally:
        del _RUNNING[root]


def dockerd_program(why: str) -> str:
    """The dockerd to start, or the error saying why none can be."""
    dockerd = shutil.which("dockerd", path=os.pathsep.join([os.environ.get("PATH", ""), *_SBIN]))
    if dockerd is None:
        raise EngineUnavailable(f"{why} and dockerd is not installed")
    if os.geteuid() != 0:
        raise EngineUnavailable(
            f"{why} and starting a private one needs root (we are uid {os.geteuid()})",
            hint="start Docker, or set DOCKER_HOST to an engine that answers",
        )
    return dockerd


def dockerd_argv(dockerd: str, run: Path, data_root: Path) -> list[str]:
    return [
        dockerd, "--host", host_in(run), "--exec-root", str(run / "exec"),
        "--data-root", str(data_root), "--pidfile", str(run / "dockerd.pid"),
        "--config-file", str(_config(run)),  # not /etc/docker/daemon.json
        # Host networking only: no bridge on a private range, no rules, no sysctl changes.
        "--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false",
        # Should a system containerd serve us, our containers stay apart from others'.
        "--containerd-namespace", "staged-release",
        "--containerd-plugins-namespace", "staged-release-plugins",
        # Containers get 2 s to stop, so the engine is down within runner's grace.
        "--shutdown-timeout", "2",
    ]  # fmt: skip


def host_in(run: Path) -> str:
    return f"unix://{run / 'docker.sock'}"


def _config(run: Path) -> Path:
    """Nothing of the host's, and a bound on the builder's cache: dockerd 20.10 keeps BuildKit's
    cache for ever unless told to collect it, and every release adds its steps to it."""
    config = run / "daemon.json"
    collect = {"enabled": True, "defaultKeepStorage": BUILD_CACHE}
    config.write_text(json.dumps({"builder": {"gc": collect}}) + "\n")
    return config


def default_data_root(env: Mapping[str, str]) -> Path:
    return cache_dir(env) / "docker"


def lock_for(data_root: Path) -> Path:
    return data_root.with_name(f"{data_root.name}.lock")


@contextmanager
def _serving(service: runner.Service, host: str, log: Path) -> Iterator[Engine]:
    try:
        with closing(_wait_ready(host, service, log)) as client:
            try:
                yield Engine(client, host, private=True)
            finally:
                _remove_containers(client)  # stopped by us now, not killed with the engine
    finally:
        service.stop()


def _wait_ready(host: str, service: runner.Service, log: Path) -> docker.DockerClient:
    wait_until(
        lambda: _answers(host), budget=READY_TIMEOUT,
        fail=lambda stop: _not_ready(stop, log), exited=lambda: process_exit(service),
    )  # fmt: skip
    return _client(host, API_TIMEOUT)


def _not_ready(stop: GaveUp, log: Path) -> EngineUnavailable:
    if stop.exited is not None:
        return EngineUnavailable(
            f"dockerd exited while starting: {_last_line(log)}", hint=f"see its log: {log}"
        )
    return EngineUnavailable(
        f"the private Docker engine did not answer within {READY_TIMEOUT:.0f} s",
        hint=f"see its log: {log}",
    )


def _last_line(log: Path) -> str:
    lines = log.read_text(errors="replace").strip().splitlines()
    return plain(lines[-1]) if lines else "(it wrote nothing)"


def _answers(host: str) -> bool:
    if not _accepts(host):
        return False
    try:
        with closing(_client(host, _PROBE_TIMEOUT)) as client:
            return client.ping()
    except _ENGINE_ERRORS:
        return False


def _accepts(host: str) -> bool:
    """Whether a unix:// host accepts a connection (other schemes: left to the SDK's ping). The
    SDK leaves its socket open when the connect fails (docker/transport/unixconn.py), so a probe
    of a socket nobody serves yet is made here, with a socket that is closed either way."""
    if not host.startswith("unix://"):
        return True
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(_PROBE_TIMEOUT)
        try:
            probe.connect(host.removeprefix("unix://"))
        except OSError:
            return False
    return True


def _client(host: str, timeout: int) -> docker.DockerClient:
    """A client for `host`; TLS settings (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) come from the
    environment when DOCKER_HOST names this host."""
    if os.environ.get("DOCKER_HOST") == host:
        return docker.DockerClient.from_env(timeout=timeout)
    return docker.DockerClient(base_url=host, timeout=timeout)


def _remove_containers(client: docker.DockerClient) -> None:
    """Everything in a private engine is ours: remove it all before the engine stops."""
    client.api.timeout = _CLEANUP_TIMEOUT  # a hung engine must not hold up a cancelled run
    with suppress(*_ENGINE_ERRORS):
        for container in client.containers.list(all=True):
            container.remove(force=True)
