"""The output of a command: both pipes read as the data comes (release.core.runner's), and the
command's live log, written line by line with secrets redacted."""

from __future__ import annotations

import os
import selectors
import subprocess
import time
from pathlib import Path
from typing import BinaryIO, Self

from release.core.text import redact


class Streams:
    """stdout and stderr of one child, read as they come."""

    def __init__(self, proc: subprocess.Popen[bytes], sink: Sink) -> None:
        self.proc = proc
        self.selector = selectors.DefaultSelector()
        self.chunks: dict[int, list[bytes]] = {}
        self.sink = sink
        for pipe in (proc.stdout, proc.stderr):
            assert pipe is not None  # both are PIPEs
            self.selector.register(pipe, selectors.EVENT_READ)
            self.chunks[pipe.fileno()] = []
        self.order = list(self.chunks)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        for key in list(self.selector.get_map().values()):
            self.selector.unregister(key.fileobj)
        self.selector.close()
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()

    def open(self) -> bool:
        return bool(self.selector.get_map())

    def read(self, wait: float) -> None:
        for key, _ in self.selector.select(wait):
            data = os.read(key.fd, 65536)
            if not data:
                self.selector.unregister(key.fileobj)
                continue
            self.chunks[key.fd].append(data)
            self.sink.feed(key.fd, data)

    def text(self) -> tuple[str, str]:
        out, err = (b"".join(self.chunks[fd]).decode(errors="replace") for fd in self.order)
        return out, err


class Sink:
    """The command's live log: whole lines, secrets redacted, flushed as they arrive."""

    def __init__(self, path: Path | None, secrets: frozenset[str], shown: str) -> None:
        self.path, self.secrets, self.shown = path, secrets, shown
        self.file: BinaryIO | None = None
        self.partial: dict[int, bytes] = {}
        self.started = time.monotonic()

    def __enter__(self) -> Self:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.file = self.path.open("ab")
            self._write(f"$ {self.shown}\n".encode())
        return self

    def feed(self, fd: int, data: bytes) -> None:
        if self.file is None:
            return
        lines = (self.partial.pop(fd, b"") + data).split(b"\n")
        self.partial[fd] = lines.pop()  # keep the unfinished line: a secret may span chunks
        if lines:
            self._write(b"".join(line + b"\n" for line in lines))

    def note(self, text: str) -> None:
        """A line of ours after the command's output (what it left running, say)."""
        if self.file is not None:
            self._write(b"".join(p + b"\n" for p in self.partial.values() if p))
            self.partial.clear()
            self._write(text.encode())

    def __exit__(self, *exc: object) -> None:
        if self.file is None:
            return
        self._write(b"".join(p + b"\n" for p in self.partial.values() if p))
        # Each command's wall time in its log: where a slow step's time went is read there.
        self._write(f"[took {time.monotonic() - self.started:.2f} s]\n".encode())
        self.file.close()

    def _write(self, data: bytes) -> None:
        assert self.file is not None
        if self.secrets:
            data = redact(data.decode(errors="replace"), self.secrets).encode()
        self.file.write(data)
        self.file.flush()
