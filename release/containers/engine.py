"""The Docker engine a run uses: the one answering at DOCKER_HOST or the default socket, or else
a private dockerd started for the run and stopped after it.

A private engine touches nothing of the host's networking (no bridge, no iptables rules, no IP
forwarding: every container uses the host's network and services bind 127.0.0.1) and reads no
host configuration. Its socket and exec-root live in a short temporary directory (unix socket
paths are limited to ~107 bytes); its data root persists in the user's cache directory so images
are reused, and an flock keeps two runs from sharing it. Like the local indexes it is stopped on
every way out: the block's end, errors, signals (runner's cancellation) and our death (PDEATHSIG).

Everything we create carries the label LABEL, so `remove_labelled` finds it again.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from docker.models.containers import Container

import docker
from release.core import runner
from release.core.errors import (
    CommandTimedOut,
    EngineUnavailable,
    RegistryUnavailable,
    ReleaseError,
)
from release.core.locks import exclusive

LABEL = "dev.staged-release"
DEFAULT_HOST = "unix:///var/run/docker.sock"
READY_TIMEOUT = 60.0  # seconds for a private engine to answer (measured: under 5 s)
STOP_PATIENCE = 15.0  # seconds for its containerd (a session of its own) to follow it
API_TIMEOUT = 300  # seconds per API call; imports and pushes of a few hundred MB fit
_PROBE_TIMEOUT = 2
_CLEANUP_TIMEOUT = 10
_POLL = 0.2
# What a failed call into the SDK raises: its own errors, and requests' for a dead socket
# (requests' exceptions are OSErrors).
_ENGINE_ERRORS = (docker.errors.DockerException, OSError)
_RUN_PREFIX = "sr-dockerd-"
_STALE = 3600.0  # seconds: a run directory this old and named by no process is a leftover
_OCTAL = re.compile(r"\\([0-7]{3})")
_SBIN = ("/usr/sbin", "/usr/local/sbin")  # dockerd lives there, often off a user's PATH

Progress = Callable[[str], None]
# The private engines this process runs, by data root (resolved).
_RUNNING: dict[Path, Engine] = {}


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class Engine:
    client: docker.DockerClient
    host: str  # the DOCKER_HOST URL, for `docker` commands run through the runner
    private: bool  # started by us for this run (and stopped after it)

    def environment(self) -> dict[str, str]:
        return {"DOCKER_HOST": self.host}


@contextmanager
def open_engine(
    state: Path, progress: Progress = _quiet, *, data_root: Path | None = None
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
    progress: Progress = _quiet,
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
    with exclusive(lock_for(root), "the Docker data root", progress), _run_dir(progress) as run:
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
        "--config-file", str(_empty_config(run)),  # not /etc/docker/daemon.json
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


def _empty_config(run: Path) -> Path:
    config = run / "daemon.json"
    config.write_text("{}\n")
    return config


def default_data_root(env: Mapping[str, str]) -> Path:
    return cache_dir(env) / "docker"


def cache_dir(env: Mapping[str, str]) -> Path:
    """Our directory in the user's cache: $XDG_CACHE_HOME (when absolute) or ~/.cache."""
    xdg = env.get("XDG_CACHE_HOME", "")
    home = Path(xdg) if Path(xdg).is_absolute() else Path(env.get("HOME") or Path.home()) / ".cache"
    return home / "staged-release"


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
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if not service.alive():
            raise EngineUnavailable(
                f"dockerd exited while starting: {_last_line(log)}", hint=f"see its log: {log}"
            )
        if _answers(host):
            return _client(host, API_TIMEOUT)
        runner.CANCEL.check()
        time.sleep(0.1)
    raise EngineUnavailable(
        f"the private Docker engine did not answer within {READY_TIMEOUT:.0f} s",
        hint=f"see its log: {log}",
    )


def _last_line(log: Path) -> str:
    lines = log.read_text(errors="replace").strip().splitlines()
    return runner.plain(lines[-1]) if lines else "(it wrote nothing)"


def _answers(host: str) -> bool:
    try:
        with closing(_client(host, _PROBE_TIMEOUT)) as client:
            return client.ping()
    except _ENGINE_ERRORS:
        return False


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


@contextmanager
def _run_dir(progress: Progress) -> Iterator[Path]:
    """A directory for the socket and exec-root, removed once nothing of ours uses it."""
    _sweep(progress)
    run = new_run_dir()
    try:
        yield run
    finally:
        _reap(run, progress)
        remove_tree(run, progress)  # the engine leaves its netns mounted in the exec-root


def new_run_dir() -> Path:
    # In /tmp whatever TMPDIR says: a socket path must fit in 107 bytes, and test runners'
    # temporary directories are long.
    return Path(tempfile.mkdtemp(prefix=_RUN_PREFIX, dir="/tmp"))


def _sweep(progress: Progress) -> None:
    """Remove the run directories of runs killed outright (SIGKILL runs no cleanup): old ones
    that no process names any more."""
    for old in Path("/tmp").glob(f"{_RUN_PREFIX}*"):
        with suppress(OSError):  # another run may be sweeping it right now
            if time.time() - old.stat().st_mtime > _STALE and not processes_naming(old):
                remove_tree(old, progress)


def _reap(run: Path, progress: Progress) -> None:
    """Wait for dockerd's containerd and shims, which sit in sessions of their own; kill what
    outlives the patience (they name our run directory, so they are ours)."""
    deadline = time.monotonic() + STOP_PATIENCE
    while (pids := processes_naming(run)) and time.monotonic() < deadline:
        time.sleep(_POLL)
    for pid in pids:
        progress(f"WARNING: killing {pid}, left running by the private Docker engine")
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def processes_naming(path: Path) -> list[int]:
    """Pids of the processes whose command line names `path`."""
    needle = f"{path}/".encode()  # every path of ours lies below it
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and proc.name != str(os.getpid()):
            with suppress(OSError):
                if needle in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
    return found


def remove_tree(path: Path, progress: Progress) -> None:
    """Delete `path`, unmounting first what is mounted in it: rmtree would descend into it."""
    for point in sorted(mounts_under(path), key=lambda p: len(p.parts), reverse=True):
        with suppress(ReleaseError):  # a cancelled run starts no command: then we warn
            runner.run(["umount", "--lazy", str(point)], check=False)
    if mounts_under(path):
        progress(f"WARNING: leaving {path}: something is still mounted in it")
    else:
        shutil.rmtree(path, ignore_errors=True)


def mounts_under(path: Path) -> list[Path]:
    """Mount points at or below `path` (a tree with a mount in it must not be deleted)."""
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        # Field 5 is the mount point, with spaces and the like escaped as octal (\040).
        point = Path(_OCTAL.sub(lambda m: chr(int(m[1], 8)), line.split()[4]))
        if point == path or path in point.parents:
            points.append(point)
    return points


def remove_labelled(engine: Engine, value: str) -> None:
    """Remove the containers (running or not), volumes and networks labelled LABEL=value."""
    selector: dict[str, str | list[str] | bool] = {"label": f"{LABEL}={value}"}
    for container in engine.client.containers.list(all=True, filters=selector, sparse=True):
        with suppress(docker.errors.NotFound):  # gone meanwhile (it ended with --rm, say)
            container.remove(force=True, v=True)
    for volume in engine.client.volumes.list(filters=selector):
        volume.remove(force=True)
    for network in engine.client.networks.list(filters=selector):
        network.remove()


def start_container(
    engine: Engine,
    image: str,
    command: Sequence[str] | None = None,
    *,
    label: str,
    name: str | None = None,
    environment: Mapping[str, str] | None = None,
) -> Container:
    """A detached container on the host's network (services bind 127.0.0.1), labelled."""
    return engine.client.containers.run(
        image, list(command) if command else None, detach=True, network_mode="host",
        labels={LABEL: label}, name=name, environment=dict(environment or {}),
    )  # fmt: skip


def run_container(
    engine: Engine,
    image: str,
    command: Sequence[str],
    *,
    label: str,
    environment: Mapping[str, str] | None = None,
    budget: float = runner.DEFAULT_BUDGET,
    check: bool = True,
) -> runner.Completed:
    """Run a labelled container to its end and remove it; like runner.run for a command."""
    argv = ("docker", "run", image, *command)
    secrets = runner.secret_values({**os.environ, **(environment or {})})
    container = start_container(engine, image, command, label=label, environment=environment)
    try:
        code = _wait_exit(container, argv, budget, secrets)
        done = runner.Completed(argv, code, _logs(container, "stdout"), _logs(container, "stderr"))
    finally:
        container.remove(force=True)
    if check and code != 0:
        raise runner.failure(done, secrets)
    return done


def _wait_exit(
    container: Container, argv: Sequence[str], budget: float, secrets: frozenset[str]
) -> int:
    deadline = time.monotonic() + budget
    while True:
        container.reload()
        if container.status in ("exited", "dead"):
            return int(container.attrs["State"]["ExitCode"])
        runner.CANCEL.check()  # a signal stops the run: the caller's finally removes it
        if time.monotonic() > deadline:
            tail = runner.redact(_logs(container, "stderr")[-2000:], secrets)
            raise CommandTimedOut([runner.redact(" ".join(argv), secrets)], budget, tail)
        time.sleep(_POLL)


def _logs(container: Container, stream: str) -> str:
    data = container.logs(stdout=stream == "stdout", stderr=stream == "stderr")
    return data.decode(errors="replace")


def push(engine: Engine, repository: str, tag: str) -> str:
    """Push `repository:tag` and return the manifest digest the registry now holds for it."""
    digest = ""
    for event in engine.client.images.push(repository, tag, stream=True, decode=True):
        if "error" in event:  # the engine reports failures inside its progress stream
            raise RegistryUnavailable(
                f"pushing {repository}:{tag} failed: {event['error']}",
                hint="check that the registry answers and accepts this repository",
            )
        digest = event.get("aux", {}).get("Digest", digest)
    return str(digest)
