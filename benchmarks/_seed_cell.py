"""The reference of benchmarks/cell.py (run by it, not a benchmark of its own): what the seed
workflow's validation job does per Python, as plainly as a maintainer would write it.

    python benchmarks/_seed_cell.py --serverdir DIR --uv UV --python 3.11 \\
        --extra-index URL --name tomli --version 2.5.1rc1 --module tomli

1. start devpi-server on DIR (a copy of the index the rc was uploaded to) and wait for it;
2. a fresh `uv venv` on that Python;
3. `uv pip install NAME==VERSION` from the staging index, the trusted index as extra (pip's
   behaviour: the best match of both, `unsafe-best-match`; uv's own default would look for the
   name on the extra index alone, where the rc is not);
4. the version check and the import, in one interpreter;
5. stop the server.

Standard library only, and the same devpi-server, uv and server flags as staged-release uses,
so the two differ only in what each does around them.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request
from pathlib import Path

CHECK = "import importlib.metadata as m, sys, {module}; assert m.version({name!r}) == {version!r}"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    argv = [
        str(Path(sysconfig.get_path("scripts")) / "devpi-server"),
        "--serverdir", args.serverdir, "--host", "127.0.0.1", "--port", str(port),
        "--offline-mode", "--argon2-time-cost", "1", "--argon2-memory-cost", "8",
        "--argon2-parallelism", "1",
    ]  # fmt: skip
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        _wait(f"{base}+api", server)
        with tempfile.TemporaryDirectory() as tmp:
            _cell(args, f"{base}root/testpypi/+simple/", Path(tmp) / "venv")
    finally:
        server.terminate()
        server.wait()
    return 0


def _cell(args: argparse.Namespace, staging: str, venv: Path) -> None:
    uv = args.uv
    python = str(venv / "bin" / "python")
    _run(uv, "venv", "--quiet", "--python", args.python, str(venv))
    _run(
        uv, "pip", "install", "--quiet", "--python", python,
        "--index-url", staging, "--extra-index-url", args.extra_index,
        "--index-strategy", "unsafe-best-match", "--refresh-package", args.name,
        f"{args.name}=={args.version}",
    )  # fmt: skip
    check = CHECK.format(module=args.module, name=args.name, version=args.version)
    _run(python, "-c", check)


def _wait(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"devpi-server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit("devpi-server did not answer within 60 s")


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True)  # noqa: S603 - our own arguments


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("serverdir", "uv", "python", "extra-index", "name", "version", "module"):
        parser.add_argument(f"--{name}", required=True)
    return parser


if __name__ == "__main__":
    sys.exit(main())
