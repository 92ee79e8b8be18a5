"""A cell command's local index server, started as soon as its arguments are parsed.

devpi-server's start (about 1.5 s, mostly its own imports) is the longest step of a small
validation cell: started before this process loads the stage's modules and reads the project,
it starts while they load, and the cell waits for it only when it first asks for one of its
indexes (release.index.profiles.LocalEndpoints). Only for a stage command of the table that
talks to an index, under --indexes local, and only where an earlier command made the state
directory: nothing is created here before the project is known to be one. The handler finds
the server in `args.early_indexes` (None when none was started).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager

from release.config import STATE_DIR
from release.index import profiles as indexes
from release.pipeline.stages import Job, chosen, commands


@contextmanager
def early_indexes(args: argparse.Namespace) -> Iterator[None]:
    """Run the block with the cell's index server starting (stopped after it), if it has one."""
    args.early_indexes = None
    if not _talks_to_an_index(args):
        yield
        return
    from release.index import devpi

    state = args.project.resolve() / STATE_DIR / "indexes"
    local = indexes.read_mode(args.indexes, os.environ) is indexes.Mode.LOCAL
    if not local or not devpi.initialised(state):
        yield
        return
    with devpi.start(state, args.progress) as server:
        args.early_indexes = server
        yield


def _talks_to_an_index(args: argparse.Namespace) -> bool:
    """A stage command other than a build, or an E2E that only pulls its images."""
    if args.command not in commands() or getattr(args, "pull_only", False):
        return False
    stage = chosen(args.command, vars(args)) or commands()[args.command][0]
    return stage.job is not Job.BUILD
