"""Stage `bump`: write the next version where the build backend reads it (pyproject.toml, or
the version file its configuration names) and refresh uv.lock, or for a version that comes from
the git tag, create that tag."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import tomlkit
from packaging.utils import canonicalize_name
from tomlkit.items import Table
from uv import find_uv_bin

from release.core import git, runner
from release.core.errors import ConfigError, IntegrityError
from release.versioning import held as rules
from release.versioning.held import HeldVersion
from release.versioning.versions import ReleaseVersion, looks_like_version_tag


def bump(root: Path, version: ReleaseVersion) -> None:
    """Set [project].version (formatting and comments kept), then `uv lock`.

    If uv cannot refresh the lock, pyproject.toml is put back: never one source moved alone.
    """
    path = root / "pyproject.toml"
    original = path.read_text(encoding="utf-8")
    path.write_text(set_version(original, str(version)), encoding="utf-8")
    _lock_or_restore(root, path, original)


def bump_held(
    root: Path, held: HeldVersion, version: ReleaseVersion, reread: Callable[[], str | None]
) -> None:
    """Write `version` into the file the backend reads it from, then `uv lock`. `reread` reads
    the version back by the backend's rule: what it does not find there is put back, as is the
    file when uv cannot refresh the lock."""
    path = root / held.file
    original = _exact(path)
    set_held(root, held, str(version))
    if reread() != str(version):
        _write_exact(path, original)
        raise IntegrityError(
            f"wrote {version} into {held.where}, but {held.backend} would not read it there",
            hint=f"write {version} there by hand, and report this",
        )
    _lock_or_restore(root, path, original)


def set_held(root: Path, held: HeldVersion, version: str) -> None:
    """The file `held` names with its version replaced (nothing else in it changed)."""
    path = root / held.file
    _write_exact(path, rules.written(_exact(path), held, version))


def _exact(path: Path) -> str:
    """The text as it is, line endings included (the offsets `held` found count them)."""
    with path.open(encoding="utf-8", newline="") as file:
        return file.read()


def _write_exact(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write(text)


def _lock_or_restore(root: Path, path: Path, original: str) -> None:
    try:
        runner.run([find_uv_bin(), "lock"], cwd=root)
    except BaseException:  # a failed lock or a Ctrl-C alike: never one source moved alone
        _write_exact(path, original)
        raise


def tag_head(root: Path, version: ReleaseVersion) -> None:
    """Tag HEAD with `version`: the whole bump of a dynamic version. Refused when HEAD carries a
    version tag already: which version the commit is would then need --tag everywhere."""
    held = sorted(t for t in git.tags_at_head(root) if looks_like_version_tag(t))
    if held:
        raise ConfigError(
            f"HEAD already carries {', '.join(held)}; {version.tag} would be a second version tag",
            hint=f"commit the fix first, then bump; or tag by hand (`git tag {version.tag}`) "
            "and pass --tag to the commands that read it",
        )
    git.create_tag(root, version.tag)


def set_copy(root: Path, name: str, version: str, held: HeldVersion | None) -> None:
    """A scratch copy set to `version` where `bump` writes it (pyproject.toml, or the file
    `held` names, as found in this copy) and in uv.lock's entry when it records a version
    (uv records none for a dynamic one): what `bump` writes, without resolving anything."""
    if held is not None:
        set_held(root, held, version)
    else:
        pyproject = root / "pyproject.toml"
        pyproject.write_text(set_version(pyproject.read_text("utf-8"), version), "utf-8")
    lock = root / "uv.lock"
    if lock.is_file():
        text = lock.read_text("utf-8")
        lock.write_text(set_lock_version(text, name, version, recorded_only=True), "utf-8")


def set_version(pyproject_text: str, version: str) -> str:
    doc = tomlkit.parse(pyproject_text)
    project = doc.get("project")
    if not isinstance(project, Table):
        raise ConfigError("pyproject.toml has no [project] table", hint="add one")
    project["version"] = version
    return tomlkit.dumps(doc)


def set_lock_version(
    lock_text: str, name: str, version: str, *, recorded_only: bool = False
) -> str:
    """uv.lock with the project's own entry at `version` (formatting kept): what `uv lock`
    would write for it, without resolving anything (a rehearsal's scratch copy needs no more).
    With `recorded_only`, an entry that records no version is left so."""
    doc = tomlkit.parse(lock_text)
    wanted = canonicalize_name(name)
    for package in doc.get("package", []):
        if canonicalize_name(str(package.get("name", ""))) == wanted:
            if recorded_only and "version" not in package:
                return lock_text
            package["version"] = version
            return tomlkit.dumps(doc)
    raise ConfigError(f"uv.lock has no entry for {wanted}", hint="run `uv lock` and commit it")
