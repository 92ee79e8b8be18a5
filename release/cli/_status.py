"""`staged-release status`: read-only, no credentials; exit 1 when any source disagrees."""

from __future__ import annotations

import argparse
import json
import os

from release.config.project import load_config
from release.index import profiles as indexes


def cmd_status(args: argparse.Namespace) -> int:
    from release.context import Options, open_run
    from release.status import drift, read, render, rows

    config = load_config(args.project)
    mode = indexes.Mode.PUBLIC if args.offline else indexes.read_mode(args.indexes, os.environ)
    # Only the publishing indexes are read: no local dependency index needs to start.
    options = Options(mode, indexes.RELEASE, args.dist)
    with open_run(config, options, args.progress) as run:
        facts = read.gather(run, offline=args.offline)
    found, table, nxt = drift.find_drift(facts), rows.rows(facts), rows.next_versions(facts)
    if args.json:
        print(json.dumps(render.as_dict(facts, table, found, nxt), indent=2))
    else:
        print(render.table(facts, table, found, nxt))
    return 1 if found else 0
