"""A signal during parallel checks stops everything we started, and the report says where.

The rehearsal runs as a real process, its checks hang (each with a grandchild of its own); once
both cells are inside their checks it gets a signal. Every process we started carries a marker
in its environment, so /proc shows whether any outlived the run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.integration.conftest import left_running, unique, write_project

PYTHONS = ("3.11", "3.12")
# The check starts a grandchild and then hangs too: both must go when the run is stopped.
HANG = """\
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print("ready", flush=True)
time.sleep(600)
"""
HANGS = '[tool.staged-release.check.hangs]\nrun = ["{python}", "{project}/hang.py"]\n'


def marked(marker: str) -> list[int]:
    """Pids of live processes whose environment carries `marker`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if marker.encode() in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except (OSError, ValueError):
            continue  # gone meanwhile, or not a process
    return found


def describe(pids: list[int]) -> list[str]:
    """What a leftover process is, for the failure message."""
    found = []
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[:4]
        except OSError:
            continue
        found.append(f"{pid} {stat} {cmdline}")
    return found


def both_cells_hang(root: Path, rehearsal: subprocess.Popen[str], patience: float = 240) -> None:
    logs = [root / ".staged-release" / "logs" / f"validate_rc-{p}" / "hangs.log" for p in PYTHONS]
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline and rehearsal.poll() is None:
        if all(log.is_file() and "ready" in log.read_text() for log in logs):
            return
        time.sleep(0.2)
    rehearsal.kill()
    pytest.fail(f"the cells never reached their checks: {rehearsal.communicate()}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_during_parallel_checks_stops_every_process_and_reports_it(
    tmp_path: Path, signum: int
) -> None:
    extra = f"pythons = {list(PYTHONS)!r}\n".replace("'", '"') + HANGS
    root = write_project(
        tmp_path / "p", unique("sr-app"), "1.0.0rc1", checks=("hangs",), extra=extra
    )
    (root / "hang.py").write_text(HANG)
    marker = f"SR_TEST_MARK={uuid.uuid4().hex}"
    report = tmp_path / "report.json"
    argv = [sys.executable, "-m", "release", "rehearse", "rc", "--project", str(root)]
    argv += ["--report", str(report), "--dependency-index", "local", "--jobs", "2"]
    env = {**os.environ, marker.split("=", maxsplit=1)[0]: marker.split("=")[1]}
    rehearsal = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        both_cells_hang(root, rehearsal)
        rehearsal.send_signal(signum)
        out, err = rehearsal.communicate(timeout=60)
    finally:
        rehearsal.kill()
    assert rehearsal.returncode == 128 + signum
    assert "Traceback" not in err
    leftovers = left_running(lambda: marked(marker))
    assert not leftovers, f"left running: {describe(leftovers)}\n{err}"
    data = json.loads(report.read_text())
    rows = [(o["stage"], o["cell"], o["status"]) for o in data["outcomes"]]
    assert rows == [
        ("version_check", "-", "passed"),
        ("build", "-", "passed"),
        ("upload_testpypi", "-", "passed"),
        ("validate_rc", "3.11", "interrupted"),
        ("validate_rc", "3.12", "interrupted"),
        ("e2e_rc", "-", "skipped"),
    ]
    assert data["interrupted"] == signal.Signals(signum).name
    assert "interrupted" in out  # the table is printed as well
