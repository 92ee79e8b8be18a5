"""One test fails when another cell runs it at the same time: both cells take one file lock.
The first cell to arrive holds it until the second has tried it (they meet at a FIFO: no sleeps,
no timing), so side by side the second always fails; a later run, alone, finds the lock free.
Another test leaves a child running in a session of its own and never waits for it."""

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import beside_lock

FOLDER = Path(os.environ["BESIDE_LOCK_DIR"])


def test_a_child_left_running():
    subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)", f"left-behind-{FOLDER.name}"],
        start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert beside_lock.NAME == "beside-lock"


def test_no_other_cell_holds_the_lock():
    with (FOLDER / "arrivals").open("a+") as arrivals:
        fcntl.flock(arrivals, fcntl.LOCK_EX)  # one cell at a time counts itself in
        arrivals.seek(0)
        arrival = len(arrivals.read().splitlines())
        arrivals.write(f"{sys.version}\n")
        arrivals.flush()
        lock = (FOLDER / "lock").open("w")
        free = _take(lock)
    if arrival == 0:
        (FOLDER / "tried").open().close()  # waits until the second cell has tried the lock
    elif arrival == 1:
        (FOLDER / "tried").open("w").close()
    assert free, "another cell holds the lock: it runs beside this one"


def _take(lock):
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
