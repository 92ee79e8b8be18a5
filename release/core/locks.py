"""One holder at a time: an flock on a file, waited for with a progress line.

The local index server, the registry stand-in, a private Docker engine's data root and the base
image build each take one, so two runs on the same state take turns instead of colliding.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(lock: Path, what: str, progress: Callable[[str], None]) -> Iterator[None]:
    """An flock on `lock` for the block: a second run waits for the first, saying so."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(f"waiting for another run to release {what} ({lock})")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
