"""The `staged-release` command: the boundary that prints, and turns errors into exit codes.

Handlers only translate arguments into calls of the library: the version commands in _versions,
the stage commands (one per command of the stage table, one handler) in _stages, the rehearsals
in _rehearse, the command line itself in arguments (its values' types in _values).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import time
from collections.abc import Callable, Sequence
from types import FrameType

from release.cli._early import early_indexes
from release.cli._output import fail
from release.cli.arguments import parser
from release.core import runner
from release.core.errors import Interrupted, ReleaseError, UsageError
from release.core.progress import Progress
from release.pipeline import outcomes
from release.pipeline.outcomes import Outcome, Status
from release.pipeline.stages import commands
from release.reporting import summary

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

# command -> (module of release.cli, handler): a command imports only its own handlers' module,
# so `validate` does not wait for the version commands' YAML and workflow modules to load. The
# stage commands come from the stage table, one handler for all; the rest by hand.
HANDLERS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(commands(), ("_stages", "cmd_stage")),
    "plan": ("_versions", "cmd_plan"),
    "next": ("_versions", "cmd_next"),
    "bump": ("_versions", "cmd_bump"),
    "rehearse": ("_rehearse", "cmd_rehearse"),
    "schema": ("_stages", "cmd_schema"),
    "init": ("_stages", "cmd_init"),
    "workflow": ("_workflow", "cmd_workflow"),
    "github-release": ("_workflow", "cmd_github_release"),
    "status": ("_status", "cmd_status"),
}


def handler(command: str) -> Callable[[argparse.Namespace], int]:
    module, name = HANDLERS[command]
    found: Callable[[argparse.Namespace], int] = getattr(
        importlib.import_module(f"release.cli.{module}"), name
    )
    return found


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except UsageError as exc:
        return fail(exc.message, exc.hint, exc.exit_code)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    args.progress = Progress(quiet=args.quiet)
    runner.CANCEL.clear()  # a fresh run: nothing is cancelled yet
    for signum in SIGNALS:
        signal.signal(signum, _on_signal)
    started = time.monotonic()
    try:
        with early_indexes(args):  # before the handler's modules load
            code = int(handler(args.command)(args))
    except ReleaseError as exc:
        _summarize(args, time.monotonic() - started, exc)
        return fail(exc.message, exc.hint, exc.exit_code)
    _summarize(args, time.monotonic() - started, None if code == 0 else code)
    return code


def _summarize(args: argparse.Namespace, took: float, error: ReleaseError | int | None) -> None:
    """In a GitHub Actions job, the stage's outcome and how to reproduce it, on the job's page:
    a stage command's own (it ran through release.pipeline.run), or plan's."""
    if summary.SUMMARY_ENV not in os.environ:
        return
    outcome: Outcome | None = getattr(args, "outcome", None)
    if outcome is None and args.command == summary.PLAN:
        if isinstance(error, ReleaseError):
            outcome = outcomes.failed(summary.PLAN, "-", took, error)
        else:  # a handler that reported its failure itself returns its exit code
            status = Status.PASSED if error is None else Status.FAILED
            noted = getattr(args, "noted", "")  # what plan noted: the gates' runs it read
            outcome = Outcome(summary.PLAN, "-", status, took, reason=noted, exit_code=error or 0)
    if outcome is not None:
        summary.write(outcome, os.environ, detail=getattr(error, "diff", ""))


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    """Stop the run: every command stops its process group, and the main thread unwinds
    (stopping the local servers and writing the report) from wherever it was. A second signal
    only drops the grace before SIGKILL: the cleanup under way must not be cut short."""
    if runner.cancel(signum):
        raise Interrupted(signum)
