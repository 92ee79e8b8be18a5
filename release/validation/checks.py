"""Checks run against the INSTALLED package, never the source tree.

Built in: `compile` (byte-compile the installed modules), `import` (import every submodule) and
`tests` (pytest on a copy of the project's test directories). Anything else is a command from
`[tool.staged-release.check.NAME]` with the placeholders of release.config.placeholders.CHECK, in
its dialect: {python}, {project}, {tmp}, {tests} (as its own argument: every test directory),
{installed} (one argument per installed top-level module, in site-packages), {sources} (the same,
where the project keeps them) and {pytest-config} (`-c FILE` for the project's pytest
configuration, or nothing). A check that names {sources}, {tests} or {pytest-config} runs from
the root of the cell's mirror of the project (release.validation.mirror), and those placeholders
are paths relative to it, as in the project's own CI.

A check that checked nothing has failed, whatever its exit code (release.validation._nothing).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from release.config import layout, placeholders
from release.config.settings import CheckSpec
from release.core import runner
from release.core.errors import CheckFailed, CommandFailed, CommandTimedOut, ReleaseError
from release.core.verdicts import CheckOutcome, CheckStatus
from release.validation import _imports, _nothing, mirror
from release.validation.environments import Environment

SMOKE_BUDGET = 300.0  # seconds: importing a package takes seconds, not minutes

SMOKE = """
import importlib, importlib.metadata, json, sys
name, modules = sys.argv[1], sys.argv[2:]
files = {m: getattr(importlib.import_module(m), "__file__", None) or "" for m in modules}
print(json.dumps({"version": importlib.metadata.version(name), "files": files}))
"""

# compileall says nothing of how much it compiled; a count shows a compile of nothing.
COMPILE = """
import pathlib, py_compile, sys
count = 0
for top in map(pathlib.Path, sys.argv[1:]):
    for path in [top] if top.is_file() else sorted(top.rglob("*.py")):
        if path.suffix == ".py":
            py_compile.compile(str(path), doraise=True)
            count += 1
print(f"compiled {count} modules")
"""


@dataclass(frozen=True)
class Installed:
    """What the smoke test found: the version and where each configured module lives."""

    version: str
    modules: dict[str, Path]
    distribution: str = ""  # its name, as the smoke test was given it

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
    def mirror(self) -> Path:
        """The root of the cell's mirror of the project's layout (release.validation.mirror)."""
        return self.tmp / "project"

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
    files = {m: Path(f) for m, f in data["files"].items()}
    found = Installed(data["version"], files, distribution)
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
    place: Place, spec: CheckSpec, installed: Installed, budget: float, python: str,
    skip: Sequence[str] = (),
) -> CheckOutcome:  # fmt: skip
    """Run one check within `budget` seconds and say how it went; it never raises for a
    failure of the check itself, so the cell can run the others and report them all. `skip`:
    the modules the import check leaves alone (`import-skip`)."""
    if spec.pythons and python not in spec.pythons:
        why = f"runs on Python {', '.join(spec.pythons)} only"
        return CheckOutcome(spec.name, CheckStatus.SKIPPED, 0.0, "", why)
    started, log = time.monotonic(), str(place.log(spec.name))
    try:
        ran = _run_check(place, spec, installed, budget, skip)
    except CommandTimedOut as exc:
        why = f"check {spec.name!r} exceeded its time budget of {budget:g} s: {exc.tail}"
        return CheckOutcome(spec.name, CheckStatus.TIMED_OUT, _since(started), log, why)
    except (CommandFailed, CheckFailed) as exc:  # judged before its end (the import walk's)
        why = f"check {spec.name!r} failed: {exc.message}"
        return CheckOutcome(spec.name, CheckStatus.FAILED, _since(started), log, why)
    if isinstance(ran, str):
        return CheckOutcome(spec.name, CheckStatus.SKIPPED, 0.0, "", ran)
    failure = _failure(place, spec.name, ran)
    status = CheckStatus.FAILED if failure else CheckStatus.PASSED
    why = f"check {spec.name!r} failed: {failure.message}" if failure else ""
    return CheckOutcome(spec.name, status, _since(started), log, why, ran.leftovers)


def _run_check(
    place: Place, spec: CheckSpec, installed: Installed, budget: float, skip: Sequence[str]
) -> str | runner.Completed:
    """Run one check's command and return how it ended, or why the check was skipped."""
    python = str(place.env.python)
    if spec.name == "compile" and not spec.run:
        return _checked(place, "compile", [python, "-c", COMPILE, *installed.paths], budget)
    if spec.name == "import" and not spec.run:
        return _import_walk(place, installed, budget, skip)
    if _uses(spec.run, "tests") and not layout.test_directories(place.project):
        return f"{place.project} has no tests (no testpaths, no {'/, '.join(layout.CONVENTIONAL)}/)"
    argv = expand(spec.run, place, installed)
    in_mirror = any(_uses(spec.run, n) for n in MIRRORED)
    cwd = place.mirror if in_mirror else place.tmp
    extra = _pinned(place, installed) if _uses(spec.run, "tests") else {}
    if _uses(spec.run, "sources"):
        _given(place, installed, spec.name)
    return _checked(place, spec.name, argv, budget, cwd, extra)


# The placeholders that name the mirror's contents: such a check runs from the mirror's root.
MIRRORED = ("sources", "tests", "pytest-config")


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


def expand(argv: Sequence[str], place: Place, installed: Installed) -> list[str]:
    """`argv` with its placeholders filled; settings refused any other before anything ran."""
    tests = [str(t) for t in _tests(place, installed)] if _uses(argv, "tests") else []
    values = {"python": str(place.env.python), "project": str(place.project), "tmp": str(place.tmp)}
    if tests:
        values["tests"] = tests[0]  # inside a longer argument: the first one
    several: dict[str, Callable[[], list[str]]] = {  # whole arguments, each for any number
        "{tests}": lambda: tests,
        "{installed}": lambda: installed.paths,
        "{sources}": lambda: _sources(place, installed),
        "{pytest-config}": lambda: _pytest_config(place),
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


def _tests(place: Place, installed: Installed) -> list[PurePosixPath | Path]:
    """The test directories laid out in the mirror, relative to its root (the installed package
    itself where a test directory holds only its source)."""
    return mirror.tests(place.mirror, place.project, [Path(p) for p in installed.paths])


def _sources(place: Place, installed: Installed) -> list[str]:
    """The installed modules laid out in the mirror, relative to its root."""
    places = mirror.package(place.mirror, place.project, [Path(p) for p in installed.paths])
    return [str(p) for p in places]


def _given(place: Place, installed: Installed, check: str) -> None:
    """Name in the check's log the files the mirror gives it: a lint of nothing shows."""
    places = mirror.package(place.mirror, place.project, [Path(p) for p in installed.paths])
    files = mirror.python_files(place.mirror, places)
    heading = f"# {len(files)} Python files under {', '.join(map(str, places))}, in {place.mirror}:"
    place.logs.mkdir(parents=True, exist_ok=True)
    with place.log(check).open("a", encoding="utf-8") as log:
        log.write("\n#   ".join([heading, *files]) + "\n")


def _pytest_config(place: Place) -> list[str]:
    """`-c FILE` for the project's pytest configuration, as copied to the mirror (none: none)."""
    mirror.configuration(place.mirror, place.project)
    config = layout.pytest_config(place.mirror)
    return ["-c", config.name] if config else []


def pytest_config(project: Path) -> list[str]:
    """`-c FILE` for the project's pytest configuration (none: no arguments)."""
    config = layout.pytest_config(project)
    return ["-c", str(config)] if config else []


def _pinned(place: Place, installed: Installed) -> dict[str, str]:
    """What makes pytest import the package from the environment, and the mirror root too."""
    site = next(place.env.root.glob("lib/python*/site-packages"))
    return mirror.pin(site, place.mirror, list(installed.modules))


def _checked(
    place: Place,
    check: str,
    argv: Sequence[str],
    budget: float,
    cwd: Path | None = None,
    extra: Mapping[str, str] | None = None,
) -> runner.Completed:
    """Run a check's command, whatever its exit code (see _failure)."""
    return _in_env(place, check, argv, budget, cwd, extra, check_exit=False)


def _failure(place: Place, check: str, done: runner.Completed) -> ReleaseError | None:
    """Why the check failed: its command did (CommandFailed), or it checked nothing."""
    empty = _nothing.checked_nothing(done.stdout + done.stderr, done.returncode)
    if empty:
        return CheckFailed(empty, log=str(place.log(check)))
    return runner.failure(done, log=place.log(check)) if done.returncode != 0 else None


def _import_walk(
    place: Place, installed: Installed, budget: float, skip: Sequence[str]
) -> runner.Completed:
    """Import every module (release.validation._imports); CheckFailed naming those that failed,
    or saying it imported none."""
    out, tops, log = place.tmp / "import-walk.json", list(installed.modules), place.log("import")
    argv = _imports.argv(str(place.env.python), out, installed.distribution, tops, skip)
    done = _in_env(place, "import", argv, budget, check_exit=False)
    if done.returncode != 0:  # the walk itself broke: its traceback is in the log
        raise runner.failure(done, log=log)
    walked = _imports.read(out)
    verdicts = _imports.judge(walked, tops, _imports.source)
    with log.open("a", encoding="utf-8") as file:
        file.write(_imports.render(walked, verdicts, skip))
    failed = _imports.failed(verdicts) or _nothing.checked_nothing(done.stdout, done.returncode)
    if failed:
        raise CheckFailed(failed, log=str(log))
    return done


def _in_env(
    place: Place,
    check: str,
    argv: Sequence[str],
    budget: float,
    cwd: Path | None = None,
    extra: Mapping[str, str] | None = None,
    *,
    check_exit: bool = True,
) -> runner.Completed:
    return runner.run(
        argv, cwd=cwd or place.tmp, env={**place.env.variables(), **(extra or {})},
        unset=["PYTHONPATH"], timeout=budget, log_to=place.log(check), check=check_exit,
    )  # fmt: skip
