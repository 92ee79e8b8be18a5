"""Build once: sdist and wheel with `build`, `twine check --strict`, then the manifest.

Every later stage uses these exact bytes, proven by the manifest. The version inside both files
must be the release's: a backend may read it from git or a file rather than from pyproject.toml.
"""

from __future__ import annotations

import re
import shutil
import sys
import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from release.artifacts import compiled, prebuilt, wheels
from release.artifacts import manifest as manifests
from release.artifacts.filenames import version_of
from release.artifacts.manifest import Manifest
from release.artifacts.metadata import built_version, kind_of
from release.config.project import STATE_DIR
from release.core import runner
from release.core.errors import ConfigError, ReleaseError, ToolMissing, VersionMismatch
from release.versioning.versions import ReleaseVersion, shorten, to_version

DIST_SUFFIXES = (".whl", ".tar.gz")
BUILD_BUDGET = 1800.0  # seconds: a build backend may compile extensions
CHECK_BUDGET = 300.0  # seconds: `twine check` reads two archives


def build(
    root: Path,
    dist: Path,
    name: str,
    version: ReleaseVersion,
    log: Path | None = None,
    *,
    dynamic: bool = False,
    pythons: Mapping[str, Path] | None = None,
    prebuilt: Path | None = None,
) -> Manifest:
    """sdist and wheel of `root` into `dist`, checked and described by the manifest. A
    `dynamic` version is handed to the backend, so it builds at the tag without .git. A
    platform-specific wheel is built again by each interpreter of `pythons` (X.Y -> executable;
    None: this one); with `prebuilt`, its wheels are taken instead and only the sdist is built
    here."""
    dist.mkdir(parents=True, exist_ok=True)
    _refuse_foreign(dist, version.version)
    _clear_previous(dist)
    env = version_env(name, version) if dynamic else {}
    if prebuilt is not None:
        files = _with_prebuilt(root, dist, env, log, prebuilt, (name, version))
    else:
        this = {f"{sys.version_info[0]}.{sys.version_info[1]}": Path(sys.executable)}
        lane = this if pythons is None else pythons
        files = _compiled(_run_backend(root, dist, env, log), dist, env, log, lane)
    _check_built(files, version, dynamic=dynamic, root=root)
    argv = [*runner.python_module("twine"), "check", "--strict", *map(str, files)]
    runner.run(argv, timeout=CHECK_BUDGET, log_to=log)
    built = Manifest(
        str(canonicalize_name(name)), str(version), tuple(map(manifests.describe, files))
    )
    manifests.write(dist, built)
    return built


def _check_built(files: list[Path], version: ReleaseVersion, *, dynamic: bool, root: Path) -> None:
    """The release's version inside every file, no platform tag PyPI refuses (on every index
    alike, so a rehearsal fails where the real upload would), and none of our state packed."""
    try:
        check_built_versions(files, version, dynamic=dynamic, leftover=_stale_pkg_info(root))
        wheels.refuse_unsupported(p.name for p in files)
        _refuse_state_in(next(p for p in files if p.name.endswith(".tar.gz")))
    except ReleaseError:
        for path in files:  # a retry must not find them in dist/ as another version's files
            path.unlink(missing_ok=True)
        raise


def _run_backend(root: Path, dist: Path, env: dict[str, str], log: Path | None) -> list[Path]:
    """`python -m build` (sdist, then the wheel from it): the files it left in `dist`."""
    argv = [*runner.python_module("build"), "--installer", "uv", "--outdir", str(dist), str(root)]
    runner.run(argv, env=env, timeout=BUILD_BUDGET, log_to=log)
    files = sorted(p for p in dist.iterdir() if p.name.endswith(DIST_SUFFIXES))
    _expect_both(files, dist)
    return files


def _compiled(
    files: list[Path], dist: Path, env: dict[str, str], log: Path | None,
    pythons: Mapping[str, Path],
) -> list[Path]:  # fmt: skip
    """A pure wheel stays as built; a platform-specific one gives way to one wheel per Python
    of the lane, each built by its own interpreter from the sdist (and repaired on Linux)."""
    sdist = next(p for p in files if p.name.endswith(".tar.gz"))
    if not any(wheels.is_platform_specific(p.name) for p in files if p != sdist):
        return files
    if not pythons:
        raise ToolMissing(
            "the wheel is platform-specific, and none of the lane's Pythons is installed here "
            "to build its own",
            hint="install them (pyenv install 3.X), or build the wheels elsewhere (cibuildwheel)"
            " and pass them with `staged-release build --prebuilt DIR`",
        )
    for path in files:
        if path != sdist:
            path.unlink()
    return [sdist, *compiled.per_python(sdist, pythons, dist, env, log)]


def _with_prebuilt(
    root: Path, dist: Path, env: dict[str, str], log: Path | None, folder: Path,
    release: tuple[str, ReleaseVersion],
) -> list[Path]:  # fmt: skip
    """The sdist built here, beside the wheels of `folder` (verified first)."""
    taken = prebuilt.verified(folder, *release)  # before anything is built
    argv = [*runner.python_module("build"), "--sdist", "--installer", "uv", "--outdir", str(dist),
            str(root)]  # fmt: skip
    runner.run(argv, env=env, timeout=BUILD_BUDGET, log_to=log)
    sdists = sorted(p for p in dist.iterdir() if p.name.endswith(".tar.gz"))
    return [*sdists, *(Path(shutil.copy2(w, dist / w.name)) for w in taken)]


def version_env(name: str, version: ReleaseVersion) -> dict[str, str]:
    """The variables that set a VCS-derived version, so a copy without .git or a shallow clone
    builds at the tag: setuptools-scm (which hatch-vcs uses) reads the first two, pdm-backend's
    scm source the third."""
    named = re.sub(r"[^A-Z0-9]+", "_", str(canonicalize_name(name)).upper())
    return {
        "SETUPTOOLS_SCM_PRETEND_VERSION": str(version),
        f"SETUPTOOLS_SCM_PRETEND_VERSION_FOR_{named}": str(version),
        "PDM_BUILD_SCM_VERSION": str(version),
    }


def check_built_versions(
    files: Sequence[Path], version: ReleaseVersion, *, dynamic: bool = False,
    leftover: Path | None = None,
) -> None:  # fmt: skip
    """Every file's metadata must say the release version; the error names both versions.
    `leftover`: a PKG-INFO at the project's root, which backends take as the metadata."""
    for path in files:
        said = built_version(path)
        if not _says(said, version):
            hint = _mismatch_hint(version, dynamic=dynamic)
            if leftover is not None:
                hint = f"delete {leftover} (an unpacked sdist's, saying {said}): backends read it"
            raise VersionMismatch(
                f"the built {kind_of(path)} says {shorten(said or 'no version')}, but the "
                f"release is {version} ({path.name})",
                hint=hint,
            )


def _stale_pkg_info(root: Path) -> Path | None:
    """A PKG-INFO at the root: a git checkout has none; an unpacked sdist left it behind."""
    path = root / "PKG-INFO"
    return path if path.is_file() else None


def _refuse_state_in(sdist: Path) -> None:
    """Our state directory inside the sdist (hatchling reads no .gitignore but the root's): logs,
    cells, environments with absolute symlinks would be published."""
    with tarfile.open(sdist) as archive:
        packed = any(Path(m.name).parts[1:2] == (STATE_DIR,) for m in archive.getmembers())
    if packed:
        raise ConfigError(
            f"{sdist.name} holds the suite's state directory {STATE_DIR}/",
            hint=f"add /{STATE_DIR}/ to the project's root .gitignore (`staged-release init` "
            "does) and build again",
        )


def _says(said: str | None, version: ReleaseVersion) -> bool:
    try:
        return said is not None and to_version(said) == version.version
    except InvalidVersion:
        return False


def _mismatch_hint(version: ReleaseVersion, *, dynamic: bool) -> str:
    if dynamic:
        return (
            f"the backend reads the version from git (tag the commit {version.tag}) or from a "
            f"file (`__version__` in the package, a VERSION file: write {version} there)"
        )
    return (
        "the build backend reads the version from elsewhere than [project].version "
        f"(a version file?): make that say {version} too, or read it from pyproject.toml"
    )


def _refuse_foreign(dist: Path, version: Version) -> None:
    """Never mix versions in dist/: an upload of dist/ must mean exactly one version."""
    foreign = sorted(
        p.name
        for p in dist.iterdir()
        if p.name.endswith(DIST_SUFFIXES) and version_of(p.name) != version
    )
    if foreign:
        raise ConfigError(
            f"{dist} holds files of another version: {', '.join(foreign)}",
            hint=f"move or delete them (or all of {dist}) and build again",
        )


def _clear_previous(dist: Path) -> None:
    """Drop an earlier build of this same version, so dist/ holds exactly what the manifest says."""
    for path in dist.iterdir():
        if path.name.endswith(DIST_SUFFIXES) or path.name in (manifests.MANIFEST, manifests.SUMS):
            path.unlink()


def _expect_both(files: list[Path], dist: Path) -> None:
    kinds = {suffix for p in files for suffix in DIST_SUFFIXES if p.name.endswith(suffix)}
    if kinds != set(DIST_SUFFIXES):
        raise ConfigError(
            f"the build left {', '.join(p.name for p in files) or 'nothing'} in {dist}",
            hint="a release needs one sdist and at least one wheel; check the build backend",
        )
