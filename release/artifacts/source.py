"""A scratch copy of a project's source: what git would commit, else the tree minus the junk.

The rehearsal builds from such a copy (the working tree stays untouched) and `init` builds one
to see which modules the wheel holds; builds leave `build/` and `*.egg-info` behind.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from release.config.project import STATE_DIR
from release.core import git

_JUNK = (
    ".git", ".venv", ".nox", "dist", "build", STATE_DIR, "__pycache__", "*.egg-info", ".*_cache",
)  # fmt: skip


def copy_source(project: Path, target: Path) -> Path:
    """The files git would see (tracked and untracked-but-not-ignored), else the tree minus junk."""
    files = git.listed_files(project)
    if files is None:
        shutil.copytree(project, target, ignore=shutil.ignore_patterns(*_JUNK))
        return target
    for name in files:
        source = project / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target
