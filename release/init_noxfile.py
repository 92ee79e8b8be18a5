"""The noxfile `staged-release init` writes (or the lines it asks a project's own noxfile to
add): a uv script whose header pins the staged-release it was written with, registering the
lane sessions through `staged_release_sessions`, which never imports a project's own `release`.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

NOXFILE = "noxfile.py"
# Not `import release.sessions`: a project's own `release` would be found first (see the module).
IMPORT_LINE = "import staged_release_sessions"
REGISTER_LINE = "staged_release_sessions.register()  # the lane sessions of staged-release"
_LINES = f"    {IMPORT_LINE}\n    {REGISTER_LINE}"  # what to add to a noxfile of the project's
NOXFILE_TEXT = '''#!/usr/bin/env -S uv run --script
# /// script
# requires-python = ">=3.11"
# dependencies = ["nox[uv]>=2025.10.16", "{requirement}"]
# ///
"""Sessions of this project. The release lane's come from staged-release: `nox -l` lists
them, none runs by default (`nox -s rehearse_rc` rehearses the rc lane locally)."""

import nox
{import_line}

nox.needs_version = ">=2025.10.16"
nox.options.default_venv_backend = "uv|virtualenv"
{register_line}

if __name__ == "__main__":
    nox.main()
'''


def noxfile(root: Path, force: bool) -> str:
    path = root / NOXFILE
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if "import staged_release_sessions" in text:
        return f"{NOXFILE} already imports the lane sessions"
    if "release.sessions" in text:  # what init wrote before
        return (
            f"{NOXFILE} imports release.sessions: a `release` of the project's own would run in"
            " its place, and `./noxfile.py` lists no lane session; replace that import with:\n"
            + _LINES
        )
    if path.exists() and not force:
        return (
            f"{NOXFILE} exists; add these lines to it (and `{requirement()}` to its script "
            f"header's dependencies) for the lane sessions:\n{_LINES}"
        )
    lines = {"import_line": IMPORT_LINE, "register_line": REGISTER_LINE}
    path.write_text(NOXFILE_TEXT.format(requirement=requirement(), **lines))
    path.chmod(0o755)
    return f"wrote {NOXFILE}: `nox -l` lists the lane sessions (none runs by default)"


def requirement() -> str:
    # Exact: the version whose sessions and workflow this was written with; the workflow's jobs
    # install that one too (release.github.tools), so nox never resolves another at run time.
    return f"staged-release=={importlib.metadata.version('staged-release')}"
