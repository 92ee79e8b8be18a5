"""Which job is asking: the process at the other end of a loopback connection, and its
environment, read from /proc.

GitHub knows which job asks for an identity token because each job gets its own request token;
under act every job gets the same one, so the asking process tells: the connection's client
port leads, through /proc/net/tcp (or tcp6), to its socket's inode, the inode to the process
holding it (/proc/PID/fd), and that process's environment carries GITHUB_JOB and the rest,
as act set them for the job's steps. Only our own user's processes can be read, which is all
the jobs of a rehearsal.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path

PROC = Path("/proc")
TABLES = ("net/tcp", "net/tcp6")


def socket_inode(table: str, client_port: int, server_port: int) -> int | None:
    """The inode of the loopback socket from `client_port` to `server_port` in a /proc/net/tcp
    (or tcp6) table, None when it is not listed (or is not a loopback connection)."""
    for line in table.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10:
            continue
        local, remote, inode = _endpoint(fields[1]), _endpoint(fields[2]), fields[9]
        if local is None or remote is None or not inode.isdigit():
            continue
        if (local[1], remote[1]) == (client_port, server_port) and local[0] and remote[0]:
            return int(inode) or None  # 0: a socket no process holds any more
    return None


def _endpoint(text: str) -> tuple[bool, int] | None:
    """(loopback?, port) of an `ADDRESS:PORT` field: the address in the kernel's hex, 32-bit
    words in host (little-endian) order."""
    address, _, port = text.partition(":")
    try:
        raw = bytes.fromhex(address)
        number = int(port, 16)
    except ValueError:
        return None
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    if len(words) == 4:
        return ipaddress.IPv4Address(words).is_loopback, number
    if len(words) == 16:
        ip = ipaddress.IPv6Address(words)
        return bool(ip.is_loopback or (ip.ipv4_mapped and ip.ipv4_mapped.is_loopback)), number
    return None


def holders(proc: Path, inode: int) -> list[int]:
    """The processes that hold the socket `inode` open (a child may have inherited it)."""
    wanted = f"socket:[{inode}]"
    pids = (entry for entry in proc.iterdir() if entry.name.isdigit())
    return sorted(int(entry.name) for entry in pids if _holds(entry / "fd", wanted))


def _holds(fds: Path, wanted: str) -> bool:
    try:
        opened = list(fds.iterdir())
    except OSError:  # gone meanwhile, or another user's
        return False
    return any(_link(fd) == wanted for fd in opened)


def _link(fd: Path) -> str:
    try:
        return str(fd.readlink())
    except OSError:  # closed meanwhile
        return ""


def environ(proc: Path, pid: int) -> dict[str, str]:
    try:
        raw = (proc / str(pid) / "environ").read_bytes()
    except OSError:
        return {}
    pairs = (item.decode(errors="replace").partition("=") for item in raw.split(b"\0"))
    return {name: value for name, equals, value in pairs if equals}


def peer_environments(proc: Path, client_port: int, server_port: int) -> list[Mapping[str, str]]:
    """The environments of the processes at the client end of a loopback connection to
    `server_port` (empty when none can be found)."""
    for table in TABLES:
        try:
            text = (proc / table).read_text(encoding="ascii")
        except OSError:
            continue
        inode = socket_inode(text, client_port, server_port)
        if inode is not None:
            return [environ(proc, pid) for pid in holders(proc, inode)]
    return []
