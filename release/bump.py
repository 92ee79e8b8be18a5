"""Stage `bump`: write the next version into pyproject.toml and refresh uv.lock."""

from __future__ import annotations

from pathlib import Path

import tomlkit
from tomlkit.items import Table
from uv import find_uv_bin

from release import runner
from release.errors import ConfigError
from release.versions import ReleaseVersion


def bump(root: Path, version: ReleaseVersion) -> None:
    """Set [project].version (formatting and comments kept), then `uv lock`.

    If uv cannot refresh the lock, pyproject.toml is put back: never one source moved alone.
    """
    path = root / "pyproject.toml"
    original = path.read_text(encoding="utf-8")
    path.write_text(set_version(original, str(version)), encoding="utf-8")
    try:
        runner.run([find_uv_bin(), "lock"], cwd=root)
    except BaseException:  # a failed lock or a Ctrl-C alike: don't leave pyproject moved alone
        path.write_text(original, encoding="utf-8")
        raise


def set_version(pyproject_text: str, version: str) -> str:
    doc = tomlkit.parse(pyproject_text)
    project = doc.get("project")
    if not isinstance(project, Table):
        raise ConfigError("pyproject.toml has no [project] table", hint="add one")
    project["version"] = version
    return tomlkit.dumps(doc)
