"""Checks run against the INSTALLED package, never the source tree.

Built in: `compile` (byte-compile the installed modules), `import` (import every submodule) and
`tests` (pytest on a copy of the project's test directories, outside the source tree). Anything
else is a command from `[tool.staged-release.check.NAME]` with the placeholders of
release.config.placeholders.CHECK, in its dialect: {python}, {project}, {tmp}, {tests} (as its
own argument: every test directory's copy), {installed} (one argument per installed top-level
module), {sources} (the same, copied out of site-packages to where the project keeps them, beside
its tool configuration; such a check runs from that copy's root) and {pytest-config} (`-c FILE`
for the project's pytest configuration, or nothing).
"""

from __future__ import annotations

import json
import shutil
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from release.config import layout, placeholders
from release.config.settings import CheckSpec
from release.core import runner
from release.core.errors import CheckFailed, CommandFailed, CommandTimedOut
from release.core.verdicts import CheckOutcome, CheckStatus
from release.validation.environments import Environment

SMOKE_BUDGET = 300.0  # seconds: importing a package takes seconds, not minutes

SMOKE = """
import importlib, importlib.metadata, json, sys
name, modules = sys.argv[1], sys.argv[2:]
files = {m: getattr(importlib.import_module(m), "__file__", None) or "" for m in modules}
print(json.dumps({"version": importlib.metadata.version(name), "files": files}))
"""

# A submodule that needs a module no one installed (an optional dependency: structlog's
# _greenlets needs greenlet) is listed, not failed; every other error fails the check.
IMPORT_ALL = """
import importlib, pkgutil, sys
tops, failed, optional = set(sys.argv[1:]), [], []
for top in sorted(tops):
    package = importlib.import_module(top)
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), top + "."):
        if info.name.endswith(".__main__"):
            continue  # importing it would run the program
        try:
            importlib.import_module(info.name)
        except ModuleNotFoundError as exc:
            missing = (exc.name or "").split(".")[0]
            outside = missing and missing not in tops
            (optional if outside else failed).append(f"{info.name}: {exc!r}")
        except Exception as exc:
            failed.append(f"{info.name}: {exc!r}")
if optional:
    print("not imported, they need modules not installed:", *optional, sep="\\n  ")
print("\\n".join(failed), file=sys.stderr)
sys.exit(1 if failed else 0)
"""


@dataclass(frozen=True)
class Installed:
    """What the smoke test found: the version and where each configured module lives."""

    version: str
    modules: dict[str, Path]

    @property
    def paths(self) -> list[str]:
        """Package directories (or single-module files) as installed."""
        return [str(p.parent if p.name == "__init__.py" else p) for p in self.modules.values()]


@dataclass(frozen=True)
class Place:
    env: Environment
    project: Path  # the source tree: only configuration and tests are read from it
    tmp: Path  # the cell's own scratch directory; commands run here
    logs: Path  # the cell's live logs, one file per check

    @property
    def sources(self) -> Path:
        """The root of the copy {sources} lays out as the project does."""
        return self.tmp / "sources"

    def log(self, check: str) -> Path:
        return self.logs / f"{check}.log"


def smoke(place: Place, distribution: str, expected: str, modules: Sequence[str]) -> Installed:
    argv = [str(place.env.python), "-c", SMOKE, distribution, *modules]
    try:
        done = _in_env(place, "smoke", argv, SMOKE_BUDGET)
    except (CommandFailed, CommandTimedOut) as exc:
        log = str(place.log("smoke"))
        raise CheckFailed(f"the smoke test failed: {exc.message}", log=log) from None

    data = json.loads(done.stdout)
    found = Installed(data["version"], {m: Path(f) for m, f in data["files"].items()})
    if found.version != expected:
        raise CheckFailed(
            f"importlib.metadata reports {distribution} {found.version}, not {expected}"
        )
    strays = [m for m, f in found.modules.items() if not f.is_relative_to(place.env.root)]
    if strays:
        raise CheckFailed(
            f"{', '.join(strays)} imported from outside the fresh environment",
            hint="something puts the source tree on sys.path (PYTHONPATH, a .pth file)",
        )
    return found


def run_check(
    place: Place, spec: CheckSpec, installed: Installed, budget: float, python: str
) -> CheckOutcome:
    """Run one check within `budget` seconds and say how it went; it never raises for a
    failure of the check itself, so the cell can run the others and report them all."""
    if spec.pythons and python not in spec.pythons:
        why = f"runs on Python {', '.join(spec.pythons)} only"
        return CheckOutcome(spec.name, CheckStatus.SKIPPED, 0.0, "", why)
    started, log = time.monotonic(), str(place.log(spec.name))
    try:
        skipped = _run_check(place, spec, installed, budget)
    except CommandTimedOut as exc:
        why = f"check {spec.name!r} exceeded its time budget of {budget:g} s: {exc.tail}"
        return CheckOutcome(spec.name, CheckStatus.TIMED_OUT, _since(started), log, why)
    except CommandFailed as exc:
        why = f"check {spec.name!r} failed: {exc.message}"
        return CheckOutcome(spec.name, CheckStatus.FAILED, _since(started), log, why)
    if skipped:
        return CheckOutcome(spec.name, CheckStatus.SKIPPED, 0.0, "", skipped)
    return CheckOutcome(spec.name, CheckStatus.PASSED, _since(started), log)


def _run_check(place: Place, spec: CheckSpec, installed: Installed, budget: float) -> str | None:
    """Run one check; return why it was skipped, or None when it ran and passed."""
    python = str(place.env.python)
    if spec.name == "compile" and not spec.run:
        _in_env(place, "compile", [python, "-m", "compileall", "-q", *installed.paths], budget)
    elif spec.name == "import" and not spec.run:
        _in_env(place, "import", [python, "-c", IMPORT_ALL, *installed.modules], budget)
    elif _uses(spec.run, "tests") and not layout.test_directories(place.project):
        return f"{place.project} has no tests (no testpaths, no {'/, '.join(layout.CONVENTIONAL)}/)"
    else:
        argv = expand(spec.run, place, installed)
        # Paths in a linter's settings are relative to the project root, or (ruff with --config)
        # to where it runs: the copy of the sources is laid out as that root.
        cwd = place.sources if "{sources}" in spec.run else place.tmp
        _in_env(place, spec.name, argv, budget, cwd)
    return None


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


def expand(argv: Sequence[str], place: Place, installed: Installed) -> list[str]:
    """`argv` with its placeholders filled; settings refused any other before anything ran."""
    tests = _copy_tests(place) if _uses(argv, "tests") else []
    values = {"python": str(place.env.python), "project": str(place.project), "tmp": str(place.tmp)}
    if tests:
        values["tests"] = str(tests[0])  # inside a longer argument: the first one
    several: dict[str, Callable[[], list[str]]] = {  # whole arguments, each for any number
        "{tests}": lambda: [str(t) for t in tests],
        "{installed}": lambda: installed.paths,
        "{sources}": lambda: _copy_installed(place, installed),
        "{pytest-config}": lambda: pytest_config(place.project),
    }
    out: list[str] = []
    for arg in argv:
        out += several[arg]() if arg in several else [placeholders.expand(arg, values)]
    return from_env(out, place.env)


def _uses(argv: Sequence[str], name: str) -> bool:
    return any(name in placeholders.names(arg) for arg in argv)


def from_env(argv: list[str], env: Environment) -> list[str]:
    """A bare program name that the environment installed runs from there, whatever PATH says."""
    program = env.bin / argv[0]
    return [str(program), *argv[1:]] if "/" not in argv[0] and program.exists() else argv


def _copy_tests(place: Place) -> list[Path]:
    """A copy of each test directory (and a conftest.py beside them) in the cell, at the same
    relative place, so pytest cannot import the package from the source tree."""
    copies = []
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache")
    for directory in layout.test_directories(place.project):
        target = place.tmp / directory.relative_to(place.project)
        if not target.exists():
            shutil.copytree(directory, target, ignore=ignore)
        copies.append(target)
    if (place.project / "conftest.py").is_file():
        shutil.copy2(place.project / "conftest.py", place.tmp / "conftest.py")
    return copies


def pytest_config(project: Path) -> list[str]:
    """`-c FILE` for the project's pytest configuration (none: no arguments)."""
    config = layout.pytest_config(project)
    return ["-c", str(config)] if config else []


def _copy_installed(place: Place, installed: Installed) -> list[str]:
    """The installed modules copied out of site-packages, byte for byte, to where the project
    keeps them (`src/pkg` in a src layout), beside copies of its tool configuration: type
    checkers treat site-packages as a library (mypy refuses a package there without py.typed),
    ruff skips it outright, and a setting keyed by path (per-file-ignores, excludes, overrides)
    matches only at the project's own layout. The files the build backend wrote (a version file)
    are left out: they are no source the project lints."""
    names = [Path(path).name for path in installed.paths]
    copies = [place.sources / layout.source_place(place.project, name) for name in names]
    generated = layout.generated_files(_pyproject(place.project))
    for path, copy in zip(installed.paths, copies, strict=True):
        copy.parent.mkdir(parents=True, exist_ok=True)
        if not copy.exists() and Path(path).is_dir():
            skip = layout.within(Path(path).name, generated)
            shutil.copytree(path, copy, ignore=_leaving_out(Path(path), skip))
        elif not copy.exists():
            shutil.copy2(path, copy)
    for name in layout.TOOL_CONFIGS:
        if (place.project / name).is_file():
            shutil.copy2(place.project / name, place.sources / name)
    return [str(c) for c in copies]


def _leaving_out(root: Path, skip: set[PurePosixPath]) -> Callable[[str, list[str]], set[str]]:
    """copytree's ignore: caches, and the files in `skip` (relative to `root`)."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        here = PurePosixPath(Path(directory).relative_to(root))
        return {n for n in names if n == "__pycache__" or here / n in skip}

    return ignore


def _pyproject(project: Path) -> dict[str, object]:
    try:
        return tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}  # the build read it; here it only names generated files


def _in_env(
    place: Place, check: str, argv: Sequence[str], budget: float, cwd: Path | None = None
) -> runner.Completed:
    return runner.run(
        argv, cwd=cwd or place.tmp, env=place.env.variables(), unset=["PYTHONPATH"], timeout=budget,
        log_to=place.log(check),
    )  # fmt: skip
