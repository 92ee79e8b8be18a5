"""The local stand-ins for TestPyPI and PyPI: one devpi-server with two non-volatile indexes.

Non-volatile indexes behave like PyPI: an identical re-upload is accepted, different bytes under
a used file name are refused. The server binds 127.0.0.1 on a free port, keeps its state in a
directory we own, is checked for readiness before use and is stopped on every way out (the
context manager's finally, SIGTERM turned into SystemExit by the CLI, and PDEATHSIG if we die).
"""

from __future__ import annotations

import base64
import os
import shutil
import sysconfig
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from release.core import loopback, runner
from release.core.caches import cache_dir
from release.core.errors import IndexUnavailable
from release.core.locks import exclusive
from release.core.service import free_port, shared, wait_started
from release.index.profiles import RELEASE, STAGING, LocalEndpoints

HOST = "127.0.0.1"
READY_TIMEOUT = 60.0
# Cheap password hashing: these indexes hold nothing secret, and the default costs ~5 s per start.
_FAST_ARGON2 = ("--argon2-time-cost", "1", "--argon2-memory-cost", "8", "--argon2-parallelism", "1")
_INDEX = {"type": "stage", "bases": [], "volatile": False, "acl_upload": [":ANONYMOUS:"]}


@contextmanager
def local_indexes(
    state: Path,
    progress: Callable[[str], None] = lambda _: None,
    started: Server | None = None,
    *,
    lazily: bool = False,
) -> Iterator[LocalEndpoints]:
    """Run the stand-ins for the duration of the block; state persists in `state`. `started`:
    a server the caller started earlier with `start` (and stops), waited for when the run
    first asks for one of its indexes (see LocalEndpoints.ready); `lazily`: so is the one
    started here. A block nested in one that runs them on the same state (in this process)
    shares that server."""
    if started is not None:
        yield LocalEndpoints(started.base, ready=started.ready)
        return
    with shared("devpi", state, lambda: _serving(state, progress, lazily)) as endpoints:
        yield endpoints


@contextmanager
def _serving(
    state: Path, progress: Callable[[str], None], lazily: bool
) -> Iterator[LocalEndpoints]:
    with start(state, progress) as server:
        yield LocalEndpoints(server.base, ready=server.ready) if lazily else server.ready()


@dataclass
class Server:
    """A started devpi-server, not yet known to answer: `ready()` waits for it (once)."""

    service: runner.Service
    base: str  # "http://127.0.0.1:PORT/"
    log: Path
    answered: bool = False
    # Parallel cells may ask first at once: one waits and makes the indexes, the rest wait.
    waiting: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def ready(self) -> LocalEndpoints:
        with self.waiting:
            if not self.answered:
                wait_started(
                    self.service, f"{self.base}+api", name="devpi-server",
                    budget=READY_TIMEOUT, log=self.log, error=IndexUnavailable,
                )  # fmt: skip
                _ensure_indexes(self.base, self.log)
                self.answered = True
        return LocalEndpoints(self.base)


def initialised(state: Path) -> bool:
    """Whether `state` holds a server directory made by an earlier start."""
    return (state / "devpi" / ".serverversion").exists()


@contextmanager
def start(state: Path, progress: Callable[[str], None] = lambda _: None) -> Iterator[Server]:
    """Start the stand-ins' server (the state's lock held, its directory made on first use)
    without waiting for it: its start (about 1.5 s, mostly its own imports) is the longest step
    of a small validation cell, so a command starts it first and loads itself meanwhile.
    Stopped when the block ends."""
    state.mkdir(parents=True, exist_ok=True)
    with exclusive(state / "devpi.lock", "the local indexes", progress):
        serverdir = state / "devpi"
        if not initialised(state):
            shutil.copytree(_template(state / "devpi.log"), serverdir)
        base = f"http://{HOST}:{free_port()}/"
        service = runner.start(_server_argv(serverdir, base), output=state / "devpi.log")
        try:
            yield Server(service, base, state / "devpi.log")
        finally:
            service.stop()


def _template(log: Path) -> Path:
    """An empty server directory (no index, no file) that devpi-init made once for this
    machine and devpi-server version: a new state starts from a copy of it, since devpi-init
    takes about 1.9 s (imports, a password hash) and every rehearsal starts from nothing."""
    folder = cache_dir(os.environ) / "devpi-init" / version("devpi-server")
    if not (folder / ".serverversion").exists():
        scratch = folder.with_name(f"{folder.name}.{os.getpid()}.{threading.get_ident()}")
        shutil.rmtree(scratch, ignore_errors=True)
        init = [_script("devpi-init"), "--serverdir", str(scratch), "--no-root-pypi"]
        runner.run(init, log_to=log)  # beside the server's own output
        try:
            scratch.rename(folder)  # whole or not at all; another run may have made it first
        except OSError:
            shutil.rmtree(scratch, ignore_errors=True)
    return folder


def _server_argv(serverdir: Path, base: str) -> list[str]:
    port = base.rstrip("/").rsplit(":", 1)[1]
    return [
        _script("devpi-server"), "--serverdir", str(serverdir), "--host", HOST, "--port", port,
        "--offline-mode", *_FAST_ARGON2,
    ]  # fmt: skip


def _ensure_indexes(base: str, log: Path) -> None:
    """Both indexes, made on the first start of a state directory. Reading needs no login, so
    a start that finds them (every later one) asks nothing more: the login alone is a password
    hash on the server's side. Asked on the loopback without httpx (release.core.loopback)."""
    json = {"Accept": "application/json"}
    missing = [
        r for r in (STAGING, RELEASE) if _ask("GET", f"{base}root/{r}", json, log=log).status == 404
    ]
    if not missing:
        return
    login = _ask("POST", f"{base}+login", json, {"user": "root", "password": ""}, log=log)
    token = login.json()["result"]["password"]
    auth = base64.b64encode(f"root:{token}".encode()).decode()
    for role in missing:
        _ask("PUT", f"{base}root/{role}", {**json, "X-Devpi-Auth": auth}, _INDEX, log=log)


def _ask(
    method: str, url: str, headers: dict[str, str], body: object = None, *, log: Path
) -> loopback.Answer:
    """One request to our own server; no answer, or a refusal of a change, is IndexUnavailable."""
    try:
        answer = loopback.request(method, url, headers=headers, json=body, timeout=30.0)
    except loopback.NoAnswer as exc:
        raise IndexUnavailable(
            f"devpi-server gave no answer: {exc}", hint=f"see its log: {log}"
        ) from None
    if method != "GET" and answer.status >= 400:
        raise IndexUnavailable(
            f"devpi-server refused {method} {url}: {answer.status}", f"see its log: {log}"
        )
    return answer


def _script(name: str) -> str:
    """A console script installed beside our own interpreter (devpi-server is our dependency)."""
    return str(Path(sysconfig.get_path("scripts")) / name)
