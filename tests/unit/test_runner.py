"""The one subprocess runner: captured output, typed failures, secrets never shown."""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from release.core import runner
from release.core.errors import CommandFailed, CommandTimedOut, Interrupted, ToolMissing
from release.core.text import REDACTED

CANARY = "canary-s3cr3t-7f1d"


def test_captures_output() -> None:
    done = runner.run([sys.executable, "-c", "print('hello')"])
    assert (done.returncode, done.stdout) == (0, "hello\n")


def test_failure_carries_command_exit_code_and_tail() -> None:
    script = "import sys; print('line1'); print('boom', file=sys.stderr); sys.exit(3)"
    with pytest.raises(CommandFailed) as caught:
        runner.run([sys.executable, "-c", script])
    assert (caught.value.returncode, caught.value.tail) == (3, "boom")
    assert caught.value.exit_code == 1


def test_a_failure_logged_to_a_file_names_that_file_instead_of_asking_for_a_rerun(
    tmp_path: Path,
) -> None:
    log = tmp_path / "environment.log"
    with pytest.raises(CommandFailed) as caught:
        runner.run(
            [sys.executable, "-c", "raise SystemExit('no matching distribution')"], log_to=log
        )
    assert (caught.value.log, caught.value.hint) == (log, f"its whole output is in {log}")
    assert "no matching distribution" in log.read_text()
    with pytest.raises(CommandFailed) as unlogged:
        runner.run([sys.executable, "-c", "raise SystemExit('the whole output')"])
    assert (unlogged.value.tail, unlogged.value.log, unlogged.value.hint) == (
        "the whole output", None, None,  # the message holds it all: nothing more to read
    )  # fmt: skip


def test_a_long_output_without_a_log_is_kept_in_a_file_the_error_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOME_TOKEN", "s3cr3t-value")
    script = "print(*range(100), sep='\\n'); print('s3cr3t-value'); raise SystemExit(1)"
    with pytest.raises(CommandFailed) as caught:
        runner.run([sys.executable, "-c", script])
    log = caught.value.log
    assert log is not None
    assert caught.value.hint == f"its whole output is in {log}"
    kept = log.read_text()
    log.unlink()
    assert kept.splitlines()[1:4] == ["0", "1", "2"]  # from the first line on, after the command
    assert "s3cr3t-value" not in kept


def test_secrets_are_redacted_from_log_and_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TWINE_PASSWORD", CANARY)
    caplog.set_level(logging.INFO, logger="release")
    script = f"import sys; print('token={CANARY}', file=sys.stderr); sys.exit(1)"
    with pytest.raises(CommandFailed) as caught:
        runner.run([sys.executable, "-c", script])
    shown = f"{caught.value.message} {caplog.text}"
    assert CANARY not in shown
    assert REDACTED in caught.value.tail


def test_secret_from_env_argument_is_redacted_too() -> None:
    with pytest.raises(CommandFailed) as caught:
        runner.run(
            [sys.executable, "-c", "import os,sys; sys.exit(os.environ['PYPI_TOKEN'])"],
            env={"PYPI_TOKEN": CANARY},
        )
    assert CANARY not in caught.value.message


def test_missing_program_is_a_user_error() -> None:
    with pytest.raises(ToolMissing):
        runner.run(["definitely-not-installed-program-xyz"])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


PATIENCE = 30.0  # seconds: the deadline of a wait that ends at once when all is well


def _until(condition: Callable[[], bool]) -> bool:
    """Whether `condition` came true before the deadline (polled: it is a file or a process)."""
    deadline = time.monotonic() + PATIENCE
    while not (met := condition()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return met


def _logged(log: Path, wanted: Callable[[list[str]], bool]) -> Callable[[], bool]:
    return lambda: log.is_file() and wanted(log.read_text().splitlines())


class _BudgetSpentWhen:
    """The runner's clock: real time until `condition` holds, then far past any budget. The budget
    runs out at a point the command chose, however slowly a loaded machine starts it."""

    def __init__(self, condition: Callable[[], bool]) -> None:
        self.condition = condition

    def monotonic(self) -> float:
        return time.monotonic() + (1e6 if self.condition() else 0.0)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


# A parent that starts a grandchild which would sleep for a minute, prints its pid, then waits;
# the grandchild stays in the parent's process group, or starts a session of its own.
TREE = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                         start_new_session={detached})
print(child.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("detached", [False, True], ids=["in-its-group", "own-session"])
def test_a_command_over_its_budget_is_killed_with_its_whole_tree(
    tmp_path: Path, detached: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "logs" / "slow.log"
    said_its_child = _logged(log, lambda lines: any(line.isdigit() for line in lines))
    monkeypatch.setattr(runner, "time", _BudgetSpentWhen(said_its_child))
    with pytest.raises(CommandTimedOut) as caught:
        runner.run([sys.executable, "-c", TREE.format(detached=detached)], timeout=30, log_to=log)
    grandchild = int(caught.value.tail)  # the output so far
    assert "exceeded its time budget of 30 s" in caught.value.message
    assert str(grandchild) in log.read_text().splitlines()
    assert _until(lambda: not _alive(grandchild))
    # One that left the group is found by its marker, and the log names it.
    assert (f"#   pid {grandchild}: " in log.read_text()) is detached


# A command that starts a child which would sleep for a minute, waits until the child says it is
# ready (its SIGTERM handler set), prints the child's pid and exits; the child stays in the
# command's process group, or (with a session of its own) leaves it.
LEAVES = """
import subprocess, sys
child = subprocess.Popen(
    [sys.executable, "-c",
     "import signal, time; {handler}; print('ready', flush=True); time.sleep(60)", "left-{tag}"],
    start_new_session={detached}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
)
assert child.stdout.readline().strip() == b"ready"
print(child.pid, flush=True)
"""


@pytest.mark.parametrize("detached", [False, True], ids=["in-its-group", "own-session"])
def test_what_a_finished_command_left_running_is_stopped_and_named(
    tmp_path: Path, detached: bool
) -> None:
    log = tmp_path / "tests.log"
    script = LEAVES.format(handler="pass", tag=tmp_path.name, detached=detached)
    done = runner.run([sys.executable, "-c", script], timeout=30, log_to=log)
    child = int(done.stdout)
    assert not _alive(child)  # gone by the time the command's result is back
    assert len(done.leftovers) == 1
    assert done.leftovers[0].endswith(f"time.sleep(60) left-{tmp_path.name}")
    text = log.read_text()
    assert "1 process still running when the command ended" in text
    assert f"#   pid {child}: " in text


def test_one_that_ignores_sigterm_is_killed_after_the_grace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "GRACE", 0.5)
    ignore = "signal.signal(signal.SIGTERM, signal.SIG_IGN)"
    script = LEAVES.format(handler=ignore, tag=tmp_path.name, detached=True)
    done = runner.run([sys.executable, "-c", script], timeout=30, log_to=tmp_path / "x.log")
    assert not _alive(int(done.stdout))
    assert "then SIGKILL after 0.5 s" in (tmp_path / "x.log").read_text()


def test_a_command_that_leaves_nothing_says_nothing_of_it(tmp_path: Path) -> None:
    done = runner.run([sys.executable, "-c", "print('ok')"], log_to=tmp_path / "ok.log")
    assert done.leftovers == ()
    assert "still running" not in (tmp_path / "ok.log").read_text()


def test_output_goes_live_to_the_log_with_secrets_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command prints a line, then blocks on a pipe until the test has read the log."""
    monkeypatch.setenv("INDEX_TOKEN", CANARY)
    log = tmp_path / "cell" / "check.log"
    go = tmp_path / "go"
    os.mkfifo(go)
    script = (
        f"import sys; print('first', flush=True); open({str(go)!r}).read();"
        f"print('then {CANARY}', file=sys.stderr)"
    )
    seen: list[bool] = []

    def peek() -> None:
        try:
            seen.append(_until(_logged(log, lambda lines: lines[1:] == ["first"])))
        finally:
            with go.open("w"):  # the command goes on (and ends) whatever was seen
                pass

    watcher = threading.Thread(target=peek)
    watcher.start()
    runner.run([sys.executable, "-c", script], log_to=log, timeout=2 * PATIENCE)
    watcher.join()
    assert seen == [True]  # written while the command still ran
    text = log.read_text()
    assert text.startswith("$ ")
    output, took = text.rstrip("\n").rsplit("\n", 1)
    assert output.endswith(f"\nthen {REDACTED}")
    assert re.fullmatch(r"\[took \d+\.\d\d s\]", took)  # each command's wall time, last
    assert CANARY not in text


def test_colour_codes_never_reach_an_error_message() -> None:
    script = "import sys; print('\\x1b[31mERROR\\x1b[0m bad readme', file=sys.stderr); sys.exit(1)"
    with pytest.raises(CommandFailed) as caught:
        runner.run([sys.executable, "-c", script])
    assert caught.value.tail == "ERROR bad readme"


def test_a_cancelled_run_stops_a_running_command_and_starts_no_other(tmp_path: Path) -> None:
    """The cancel comes once the command has said it runs (its pid in its log)."""
    log = tmp_path / "slow.log"
    started = _logged(log, lambda lines: any(line.isdigit() for line in lines))
    seen: list[bool] = []

    def cancel_once_started() -> None:
        seen.append(_until(started))
        runner.cancel(signal.SIGTERM)

    threading.Thread(target=cancel_once_started).start()
    script = "import os, time; print(os.getpid(), flush=True); time.sleep(60)"
    try:
        with pytest.raises(Interrupted) as caught:
            runner.run([sys.executable, "-c", script], log_to=log)
        assert seen == [True]
        assert caught.value.exit_code == 143
        (pid,) = [int(line) for line in log.read_text().splitlines() if line.isdigit()]
        assert _until(lambda: not _alive(pid))
        with pytest.raises(Interrupted):
            runner.run([sys.executable, "-c", "pass"])
    finally:
        runner.CANCEL.clear()
