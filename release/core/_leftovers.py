"""What a finished command left running: found, stopped, and named (release.core.runner's).

Every command runs in a process group of its own and with a marker in its environment
(MARKER=<a token of its own>) that whatever it starts inherits. Once it has exited, a live
process in its group, or one carrying its marker, was left behind by it: a worker of a server a
test started, or a child started with start_new_session (setsid), which left the group but kept
the environment. Each gets SIGTERM, and what is still there after a short grace (found again: a
supervisor may have started new ones) gets SIGKILL.

Not found: a process that left the group AND replaced its environment (`setsid env -i ...`).
Catching that too would take a child subreaper, and then our threaded process would have to reap
orphans beside subprocess's own waits for its children.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MARKER = "STAGED_RELEASE_COMMAND"
_KILLED = 2.0  # seconds to see SIGKILLed processes gone; the kernel takes milliseconds
_ROUNDS = 3  # looks for what is left after the grace
_PROC = Path("/proc")


@dataclass(frozen=True)
class Leftover:
    pid: int
    command: str  # its command line, as /proc shows it


def token() -> str:
    """A command's own marker value: no other command, here or in another run, has it."""
    return uuid.uuid4().hex


def find(group: int, mark: str | None) -> list[Leftover]:
    """The live processes in process group `group` or carrying MARKER=`mark`, by pid."""
    wanted = f"{MARKER}={mark}".encode() if mark is not None else None
    found = []
    for entry in _PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        stat = _stat(entry)
        if stat is None or stat[0] == "Z":  # gone, or a zombie: it has ended already
            continue
        if stat[1] == group or (wanted and wanted in _read(entry / "environ").split(b"\0")):
            found.append(Leftover(int(entry.name), _command(entry)))
    return sorted(found, key=lambda left: left.pid)


def _stat(entry: Path) -> tuple[str, int] | None:
    """(state, process group) of /proc/PID; the name in parentheses may hold anything."""
    text = _read(entry / "stat").decode(errors="replace")
    fields = text.rsplit(")", 1)[-1].split()
    return (fields[0], int(fields[2])) if len(fields) > 2 else None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # it ended meanwhile, or is not ours to read
        return b""


def _command(entry: Path) -> str:
    argv = _read(entry / "cmdline").rstrip(b"\0").split(b"\0")
    return " ".join(a.decode(errors="replace") for a in argv) or f"[{entry.name}]"


def stop(group: int, mark: str, grace: float) -> list[Leftover]:
    """Stop what the command left (SIGTERM; SIGKILL after `grace` seconds) and say what it was;
    returns once each is gone (or, unkillable, after _KILLED more seconds)."""
    found = find(group, mark)
    if found:
        _wait(_send(found, signal.SIGTERM), grace)
        for _ in range(_ROUNDS):  # one may have forked between the look and the signal
            rest = find(group, mark)
            if not rest:
                break
            _wait(_send(rest, signal.SIGKILL), _KILLED)
    return found


def gone(group: int) -> None:
    """Returns once every process of `group` (sent SIGKILL already) has ended: what is then
    found by the marker alone had left the group."""
    _wait(_send(find(group, None), signal.SIGKILL), _KILLED)


def _send(processes: Sequence[Leftover], signum: int) -> list[int]:
    """Signal each through a pidfd (a pid reused meanwhile is never hit); the pidfds of those
    that were still there."""
    fds = []
    for process in processes:
        try:
            fd = os.pidfd_open(process.pid)
        except OSError:  # gone already
            continue
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(fd, signum)
        fds.append(fd)
    return fds


def _wait(fds: list[int], seconds: float) -> None:
    """Until every pidfd says its process has ended, or `seconds` have passed; closes them."""
    until = time.monotonic() + seconds
    pending = list(fds)
    try:
        while pending and (left := until - time.monotonic()) > 0:
            ended, _, _ = select.select(pending, [], [], left)  # a pidfd reads ready at exit
            pending = [fd for fd in pending if fd not in ended]
    finally:
        for fd in fds:
            os.close(fd)


def describe(found: Sequence[Leftover], grace: float) -> str:
    """What the command's log says of them."""
    many = len(found) != 1
    head = (
        f"# staged-release: {len(found)} process{'es' if many else ''} still running when the "
        f"command ended (in its process group or below it), stopped "
        f"(SIGTERM, then SIGKILL after {grace:g} s):"
    )
    return "\n".join([head, *(f"#   pid {left.pid}: {left.command}" for left in found)]) + "\n"
