"""`staged-release workflow`: write the release workflow the stage table gives, or (--check)
say how the committed one differs. Hand edits are drift: the file is regenerated, never merged."""

from __future__ import annotations

import argparse
import sys

from release.config.project import load_config
from release.core.errors import CheckFailed, ConfigError
from release.lanes.workflow import PATH, drift, facts_of, job_names, release_workflow


def cmd_workflow(args: argparse.Namespace) -> int:
    config = load_config(args.project)
    path = args.output or config.root / PATH
    facts = facts_of(config)
    generated = release_workflow(facts)
    if not args.check:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generated, encoding="utf-8")
        print(f"wrote {path}: jobs {', '.join(job_names(facts))}")
        return 0
    if not path.is_file():
        raise ConfigError(f"{path} does not exist", hint="write it with `staged-release workflow`")
    diff = drift(path.read_text(encoding="utf-8"), generated, str(path))
    if diff:
        sys.stdout.write(diff)
        raise CheckFailed(
            f"{path} differs from what this staged-release generates (diff above)",
            hint="run `staged-release workflow` to write it anew, and commit it",
        )
    print(f"ok: {path} is what the stage table generates")
    return 0
