"""The run directory of a private engine: made short, swept when a killed run left it, and
removed once nothing of ours uses it.

It holds the engine's socket and exec-root in /tmp (unix socket paths are limited to ~107
bytes). dockerd's containerd and shims sit in sessions of their own and outlive the engine for a
moment; the engine leaves its network namespaces mounted in the exec-root. So removing a run
directory waits for the processes that name it, kills what outlives the patience, and unmounts
before it deletes.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from release.core import runner
from release.core.errors import ReleaseError

STOP_PATIENCE = 15.0  # seconds for its containerd (a session of its own) to follow it
_POLL = 0.2
_RUN_PREFIX = "sr-dockerd-"
_STALE = 3600.0  # seconds: a run directory this old and named by no process is a leftover
_OCTAL = re.compile(r"\\([0-7]{3})")


@contextmanager
def run_dir(progress: Callable[[str], None]) -> Iterator[Path]:
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


def _sweep(progress: Callable[[str], None]) -> None:
    """Remove the run directories of runs killed outright (SIGKILL runs no cleanup): old ones
    that no process names any more."""
    for old in Path("/tmp").glob(f"{_RUN_PREFIX}*"):
        with suppress(OSError):  # another run may be sweeping it right now
            if time.time() - old.stat().st_mtime > _STALE and not processes_naming(old):
                remove_tree(old, progress)


def _reap(run: Path, progress: Callable[[str], None]) -> None:
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


def remove_tree(path: Path, progress: Callable[[str], None]) -> None:
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
