"""Checks run against the INSTALLED package, never the source tree.

Built in: `compile` (byte-compile the installed modules), `import` (import every submodule) and
`tests` (pytest on a copy of the project's tests/, outside the source tree). Anything else is a
command from `[tool.staged-release.check.NAME]` with these placeholders: {python}, {project},
{tests}, {tmp}, {installed} (as its own argument: one per installed top-level module) and
{sources} (the same, copied out of site-packages for tools that treat it as a library).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from release import runner
from release.environments import Environment
from release.errors import CheckFailed, CommandFailed, CommandTimedOut
from release.outcomes import CheckOutcome, CheckStatus
from release.settings import CheckSpec

SMOKE_BUDGET = 300.0  # seconds: importing a package takes seconds, not minutes
# Where pytest looks for its configuration, in its order, and what marks its section there.
_PYTEST_FILES = (
    ("pytest.ini", None), (".pytest.ini", None), ("pyproject.toml", "[tool.pytest"),
    ("tox.ini", "[pytest]"), ("setup.cfg", "[tool:pytest]"),
)  # fmt: skip

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
    project: Path  # the source tree: only config and tests/ are read from it
    tmp: Path  # the cell's own scratch directory; commands run here
    logs: Path  # the cell's live logs, one file per check

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
    elif any("{tests}" in a for a in spec.run) and not (place.project / "tests").is_dir():
        return f"{place.project / 'tests'} does not exist"
    else:
        _in_env(place, spec.name, expand(spec.run, place, installed), budget)
    return None


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


def expand(argv: Sequence[str], place: Place, installed: Installed) -> list[str]:
    values = {
        "{python}": str(place.env.python),
        "{project}": str(place.project),
        "{tmp}": str(place.tmp),
    }
    if any("{tests}" in a for a in argv):
        values["{tests}"] = str(_copy_tests(place))
    out: list[str] = []
    for arg in argv:
        if arg == "{installed}":
            out += installed.paths
        elif arg == "{sources}":
            out += _copy_installed(place, installed)
        elif arg == "{pytest-config}":
            out += pytest_config(place.project)
        else:
            out.append(_replace(arg, values))
    return from_env(out, place.env)


def _replace(arg: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        arg = arg.replace(key, value)
    return arg


def from_env(argv: list[str], env: Environment) -> list[str]:
    """A bare program name that the environment installed runs from there, whatever PATH says."""
    program = env.bin / argv[0]
    return [str(program), *argv[1:]] if "/" not in argv[0] and program.exists() else argv


def _copy_tests(place: Place) -> Path:
    """A copy of tests/ (and a conftest.py beside it) in the cell, so pytest cannot import the
    package from the source tree."""
    target = place.tmp / "tests"
    if not target.exists():
        ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache")
        shutil.copytree(place.project / "tests", target, ignore=ignore)
        if (place.project / "conftest.py").is_file():
            shutil.copy2(place.project / "conftest.py", place.tmp / "conftest.py")
    return target


def pytest_config(project: Path) -> list[str]:
    """`-c FILE` for the project's pytest configuration, found as pytest finds it in a directory
    (none: no arguments)."""
    for name, marker in _PYTEST_FILES:
        path = project / name
        if path.is_file() and (marker is None or marker in path.read_text(errors="replace")):
            return ["-c", str(path)]
    return []


def _copy_installed(place: Place, installed: Installed) -> list[str]:
    """The installed modules copied out of site-packages, byte for byte: type checkers treat
    site-packages as a library (mypy refuses a package there without py.typed)."""
    target = place.tmp / "sources"
    copies = [target / Path(path).name for path in installed.paths]
    for path, copy in zip(installed.paths, copies, strict=True):
        if not copy.exists() and Path(path).is_dir():
            shutil.copytree(path, copy, ignore=shutil.ignore_patterns("__pycache__"))
        elif not copy.exists():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
    return [str(c) for c in copies]


def _in_env(place: Place, check: str, argv: Sequence[str], budget: float) -> runner.Completed:
    return runner.run(
        argv, cwd=place.tmp, env=place.env.variables(), unset=["PYTHONPATH"], timeout=budget,
        log_to=place.log(check),
    )  # fmt: skip
