"""The project's layout, rebuilt in a cell from the installed bytes and the project's configuration.

A check that names the package's sources or its tests runs from this mirror's root, as the
project's CI runs from its checkout: the installed modules sit where the project keeps them
(`pkg/` or `src/pkg/`), its tool configuration and conftest.py files at their relative places, and
its test directories beside them. So a setting keyed by path (per-file-ignores, excludes, mypy
overrides) matches as it does in the project, and `import tests.helpers` works. The source tree is
never run: the mirror holds copies of its configuration and tests only, and the package comes
byte for byte out of site-packages, less the version file the build backend wrote.
"""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath

from release.config import layout

# Imported at start-up by every interpreter of the cell's environment (a .pth file), and inert
# unless the tests check set STAGED_RELEASE_MIRROR: then the package under test is found in the
# environment only, whatever a conftest.py, `pythonpath` or cwd puts first on sys.path later, and
# the mirror root is importable after it, as the project root is in the project's own CI (an
# editable install puts it there) - in pytest and in any process its tests start.
PIN_MODULE = "_staged_release_pin"
PIN = '''"""Written by staged-release into a validation cell's environment."""
import importlib.machinery, os, sys

if os.environ.get("STAGED_RELEASE_MIRROR"):
    _mirror = os.path.realpath(os.environ["STAGED_RELEASE_MIRROR"])
    _names = frozenset(os.environ.get("STAGED_RELEASE_MODULES", "").split())

    def _outside_mirror(entry):
        where = os.path.realpath(entry)
        return where != _mirror and not where.startswith(_mirror + os.sep)

    _paths = [p for p in sys.path if p and _outside_mirror(p)]

    class _FromEnvironment:
        """The package under test comes from the environment, whatever sys.path says later."""

        @staticmethod
        def find_spec(name, path=None, target=None):
            if name not in _names:
                return None
            return importlib.machinery.PathFinder.find_spec(name, _paths)

    sys.meta_path.insert(0, _FromEnvironment)
    sys.path.append(_mirror)
'''


def package(root: Path, project: Path, installed: Sequence[Path]) -> list[PurePosixPath]:
    """Copy the installed modules (package directories or single files) to where the project
    keeps them under `root`; return those places, relative to `root`."""
    places = [layout.source_place(project, path.name) for path in installed]
    generated = layout.generated_files(_pyproject(project))
    for path, place in zip(installed, places, strict=True):
        copy = root / place
        copy.parent.mkdir(parents=True, exist_ok=True)
        if copy.exists():
            continue  # an earlier check of this cell laid it out
        if path.is_dir():
            skip = layout.within(path.name, generated)
            shutil.copytree(path, copy, ignore=_leaving_out(path, skip))
        else:
            shutil.copy2(path, copy)
    configuration(root, project)
    return places


def tests(root: Path, project: Path, installed: Sequence[Path]) -> list[PurePosixPath | Path]:
    """Copy each test directory (with its conftest.py files) to its place under `root`, with the
    conftest.py files above it, the project's other directories and the installed package (at
    its source's place) beside it; return the test directories' places, relative to `root`.

    A test directory that holds nothing but the package's source (humanize: `testpaths = ["src",
    "tests"]` with --doctest-modules) is collected where the environment installed the package
    instead (absolute): its source copied here would be a second package beside the installed
    one, which pytest refuses ("import file mismatch"), and its doctests are to run on the
    wheel's bytes."""
    sources = {layout.source_place(project, path.name): path for path in installed}
    places: list[PurePosixPath | Path] = []
    for directory in layout.test_directories(project):
        place = PurePosixPath(directory.relative_to(project).as_posix())
        if instead := _installed_instead(project, place, sources):
            places += instead
            continue
        if not (root / place).exists():
            shutil.copytree(directory, root / place, ignore=_CACHES, dirs_exist_ok=True)
        _conftests_above(root, project, place)
        places.append(place)
    _support(root, project, [path.name for path in installed])
    package(root, project, installed)  # tests that read the package's files by their place
    return places


def _installed_instead(
    project: Path, place: PurePosixPath, sources: Mapping[PurePosixPath, Path]
) -> list[Path]:
    """The installed packages whose source `place` holds, when every Python file there is
    theirs (`src/`, `pkg/`); none when it holds other Python files too (the project's root)."""
    held = {source: path for source, path in sources.items() if place in (source, *source.parents)}
    for file in (project / place).rglob("*.py"):
        where = PurePosixPath(file.relative_to(project).as_posix())
        if not any(where.is_relative_to(source) for source in held):
            return []
    return list(held.values())


# Never part of what a test reads: caches, build output, environments, version control.
_NOT_SUPPORT = frozenset({"build", "dist", "node_modules", "venv", "env", "htmlcov", "src"})
_CACHES = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.pyc")
_HIDDEN_AND_CACHES = shutil.ignore_patterns("__pycache__", "*.pyc", ".*", "node_modules")


def _support(root: Path, project: Path, packages: Sequence[str]) -> None:
    """The project's other top-level directories (sqlmodel's tests import `docs_src` and
    `scripts`; humanize's run scripts/update-translations.sh): in its CI the checkout has them.
    Not the package's source, which the mirror takes from site-packages, nor anything that is
    no source (an environment, build output)."""
    for directory in sorted(project.iterdir()):
        name = directory.name
        skip = name.startswith((".", "_")) or name in _NOT_SUPPORT or name in packages
        if skip or not directory.is_dir() or (root / name).exists():
            continue
        if (directory / "pyvenv.cfg").exists():
            continue
        shutil.copytree(directory, root / name, ignore=_HIDDEN_AND_CACHES, symlinks=True)


def configuration(root: Path, project: Path) -> None:
    """The files the project's tools read at its root, copied to the mirror's root."""
    root.mkdir(parents=True, exist_ok=True)
    for name in layout.TOOL_CONFIGS:
        source = project / name
        if source.is_file() and not (root / name).exists():
            shutil.copy2(source, root / name)


def pin(site_packages: Path, root: Path, modules: Sequence[str]) -> dict[str, str]:
    """Install the start-up hook that keeps the package under test in the environment; return
    the variables that wake it."""
    (site_packages / f"{PIN_MODULE}.py").write_text(PIN, encoding="utf-8")
    (site_packages / f"{PIN_MODULE}.pth").write_text(f"import {PIN_MODULE}\n", encoding="utf-8")
    return {"STAGED_RELEASE_MIRROR": str(root), "STAGED_RELEASE_MODULES": " ".join(modules)}


def python_files(root: Path, places: Sequence[PurePosixPath]) -> list[str]:
    """The Python files under `places` of the mirror, relative to its root: what a check of the
    sources was given, named in its log."""
    found: list[str] = []
    for place in places:
        path = root / place
        files = [path] if path.is_file() else sorted(path.rglob("*"))
        found += [f.relative_to(root).as_posix() for f in files if f.suffix in (".py", ".pyi")]
    return found


def _conftests_above(root: Path, project: Path, place: PurePosixPath) -> None:
    """conftest.py files between the project root and a test directory: pytest reads them too."""
    for parent in [PurePosixPath(), *reversed(place.parents[:-1])]:
        conftest = project / parent / "conftest.py"
        if conftest.is_file() and not (root / parent / "conftest.py").exists():
            (root / parent).mkdir(parents=True, exist_ok=True)
            shutil.copy2(conftest, root / parent / "conftest.py")


def _leaving_out(top: Path, skip: set[PurePosixPath]) -> Callable[[str, list[str]], set[str]]:
    """copytree's ignore: caches, and the files in `skip` (relative to `top`)."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        here = PurePosixPath(Path(directory).relative_to(top))
        return {n for n in names if n == "__pycache__" or here / n in skip}

    return ignore


def _pyproject(project: Path) -> dict[str, object]:
    try:
        return tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}  # the build read it; here it only names generated files
