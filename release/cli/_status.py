"""`staged-release status`: read-only, no credentials; exit 1 when any source disagrees."""

from __future__ import annotations

import argparse
import json
import os
from typing import TYPE_CHECKING

from release.config.project import load_config
from release.core.errors import IndexUnavailable
from release.index import profiles as indexes

if TYPE_CHECKING:
    from release.status.facts import Facts


def cmd_status(args: argparse.Namespace) -> int:
    from release.status import drift, render, rows

    facts = _facts(args)
    found, table, nxt = drift.find_drift(facts), rows.rows(facts), rows.next_versions(facts)
    if args.json:
        print(json.dumps(render.as_dict(facts, table, found, nxt), indent=2))
    else:
        print(render.table(facts, table, found, nxt))
    return 1 if found else 0


def _facts(args: argparse.Namespace) -> Facts:
    from release.context import Options, open_run
    from release.status.read import gather

    config = load_config(args.project)
    mode = indexes.Mode.PUBLIC if args.offline else indexes.read_mode(args.indexes, os.environ)
    # Only the publishing indexes are read: no local dependency index needs to start.
    options = Options(mode, indexes.RELEASE, args.dist)
    try:
        with open_run(config, options, args.progress) as run:
            return gather(run, offline=args.offline)
    except IndexUnavailable as exc:  # as `next` says it: never a silent gap in the view
        hint = f"{exc.hint or 're-run later'}; or pass --offline to read git tags and dist/ only"
        raise IndexUnavailable(exc.message, hint=hint) from None
