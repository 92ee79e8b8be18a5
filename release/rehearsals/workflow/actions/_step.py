"""The one entry point of the local stand-in actions: each action.yml runs
`"$STAGED_RELEASE_ACT_PYTHON" -I -m release.rehearsals.workflow.actions._step NAME` — the
suite's own Python, isolated (-I), so nothing in the job's workspace (an adopter's own
`release/` package, a PYTHONPATH) is imported in place of the suite.

A step that cannot do its job says why as an `::error::` annotation (and what to do on the
next line) and exits 1, failing the job as the real action would.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from release.core.errors import ReleaseError
from release.rehearsals.workflow.actions import _artifacts, _checkout, _pythons, _uv
from release.rehearsals.workflow.actions._job import Job, fail

STEPS: dict[str, Callable[[Job], None]] = {
    "checkout": _checkout.run,
    "setup-python": _pythons.run,
    "setup-uv": _uv.run,
    "upload-artifact": _artifacts.upload,
    "download-artifact": _artifacts.download,
}


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1 or argv[0] not in STEPS:
        sys.stderr.write(
            f"usage: python -m release.rehearsals.workflow.actions._step {{{','.join(STEPS)}}}\n"
        )
        return 2
    try:
        STEPS[argv[0]](Job(os.environ))
    except ReleaseError as error:
        fail(error)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
