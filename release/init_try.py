"""`init`'s try-run: each tool check it wrote, run once on the source tree with the versions
uv.lock pins, so a check that already fails is known now rather than at the first rehearsal.

Each runs as `uv run --frozen --group G TOOL ...` would from the project root, in an
environment of its own (the project's .venv is not touched): the check's groups, extras and
requirements with the project's dependencies (not the project itself: the tools read its
sources), on the Python the check was written for. What it prints is reported in one line per
check, and its whole output is kept in a log. Nothing here changes what `init` wrote.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from uv import find_uv_bin

from release.config import layout, placeholders
from release.config.project import STATE_DIR
from release.config.settings import CheckSpec
from release.context import LOGS, claim
from release.core import interpreters, runner
from release.core.errors import CommandFailed, ReleaseError, ToolMissing
from release.validation.environments import outside_ours
from release.versioning.versions import shorten

LOG_DIR = "init"  # under the state directory's logs: one log per check tried
SYNC_BUDGET = 1200.0  # seconds: resolving nothing, but downloading the pins on a slow mirror
_SAID = 120  # characters of a tool's or uv's last line quoted
_COUNT = re.compile(r"\b(\d+) (errors?|diagnostics?)\b(?: in (\d+) files?)?")


@dataclass(frozen=True)
class Tried:
    """How one check went on the source tree: passed, failed (with a summary) or could not run."""

    check: str
    passed: bool = False
    summary: str = ""  # what failed ("6 errors in 4 files"), or why it could not run
    ran: bool = True
    log: str = ""  # its whole output, relative to the project root


def try_checks(root: Path, checks: Sequence[CheckSpec], modules: Sequence[str]) -> list[str]:
    """Run each check once from `root`; one line for each, after a heading."""
    if not checks:
        return []
    logs = claim(root / STATE_DIR) / LOGS / LOG_DIR
    logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="staged-release-try-") as scratch:
        trial = _Trial(root, Path(scratch), logs, modules)
        tried = [trial.one(spec) for spec in checks]
    heading = "tried the tool checks once on your tree, with uv.lock's pins (--no-try skips it):"
    return [heading, *(f"  {line(t)}" for t in tried)]


def line(tried: Tried) -> str:
    """What a user reads of one try (pure)."""
    if not tried.ran:
        return f"{tried.check}: could not run here: {tried.summary}"
    if tried.passed:
        return f"{tried.check}: passes on your tree today"
    return f"{tried.check}: {tried.summary} on your tree today (see {tried.log})"


def summary(output: str, returncode: int) -> str:
    """How a tool's run failed, from what it printed (pure): the last count of errors or
    diagnostics (mypy: "6 errors in 4 files"; ruff, pyright: "N errors"; ty: "N diagnostics"),
    else its exit code and last line."""
    counts = [m for text in output.splitlines() for m in _COUNT.finditer(text)]
    if counts:
        count, noun, files = counts[-1].groups()
        return f"{count} {noun}" + (f" in {files} files" if files else "")
    last = next((t.strip() for t in reversed(output.splitlines()) if t.strip()), "")
    return f"exits {returncode}" + (f" ({shorten(last, _SAID)})" if last else "")


class _Trial:
    """The environments made so far (checks that share their pins share one) and where to log."""

    def __init__(self, root: Path, scratch: Path, logs: Path, modules: Sequence[str]) -> None:
        self.root, self.scratch, self.logs, self.modules = root, scratch, logs, modules
        self.envs: dict[tuple[object, ...], Path] = {}

    def one(self, spec: CheckSpec) -> Tried:
        log = self.logs / f"{spec.name}.log"
        shown = str(log.relative_to(self.root))
        log.unlink(missing_ok=True)
        try:
            done = self._run(spec, log)
        except CommandFailed as exc:  # the environment could not be made: uv's last word
            said = shorten(exc.tail.split(" | ")[-1], _SAID)
            return Tried(spec.name, ran=False, summary=f"uv sync: {said} (see {shown})")
        except ReleaseError as exc:  # over its budget, or the tool is not there
            return Tried(
                spec.name, ran=False, summary=f"{shorten(exc.message, _SAID)} (see {shown})"
            )
        if done.returncode == 0:
            return Tried(spec.name, passed=True, log=shown)
        output = f"{done.stdout}\n{done.stderr}"
        return Tried(spec.name, summary=summary(output, done.returncode), log=shown)

    def _run(self, spec: CheckSpec, log: Path) -> runner.Completed:
        env = self._environment(spec, log)
        argv = self._argv(spec, env)
        with log.open("a", encoding="utf-8") as header:  # the command a user would type
            header.write(f"# as `{by_hand(spec, argv, env)}` from {self.root}\n")
        path = os.pathsep.join([str(env / "bin"), *outside_ours(os.environ.get("PATH", ""))])
        inside = {"VIRTUAL_ENV": str(env), "PATH": path}
        return runner.run(
            argv, cwd=self.root, env=inside, check=False, timeout=spec.timeout, log_to=log
        )  # VIRTUAL_ENV: ty and pyright take the environment from it, as `uv run` sets it

    def _environment(self, spec: CheckSpec, log: Path) -> Path:
        """The check's environment, synced from uv.lock (made once per distinct selection)."""
        python = _python(spec)
        key = (python, spec.groups, spec.extras, spec.requires)
        if key not in self.envs:
            env = self.scratch / f"env-{len(self.envs)}"
            _sync(self.root, env, python, spec, log)
            self.envs[key] = env
        return self.envs[key]

    def _argv(self, spec: CheckSpec, env: Path) -> list[str]:
        tmp = self.scratch / f"tmp-{spec.name}"
        tmp.mkdir(exist_ok=True)
        values = {"python": str(env / "bin" / "python"), "project": str(self.root), "tmp": str(tmp)}
        argv = expand(spec.run, values, self._sources(), _tests(self.root))
        program = env / "bin" / argv[0]
        if "/" not in argv[0] and not program.exists():
            raise ToolMissing(f"`{argv[0]}` is not among what {_selection(spec)} installs")
        return [str(program), *argv[1:]] if program.exists() else argv

    def _sources(self) -> list[str]:
        places = (layout.source_place(self.root, m) for m in self.modules)
        return [str(p) for p in places if (self.root / p).exists()]


def expand(
    run: Sequence[str], values: Mapping[str, str], sources: list[str], tests: list[str]
) -> list[str]:
    """A check's `run` for the source tree (pure): {sources} and {installed} are the package's
    places in the tree, {tests} its test directories; the rest stand for one value each."""
    whole = {"{sources}": sources, "{installed}": sources, "{tests}": tests, "{pytest-config}": []}
    out: list[str] = []
    for arg in run:
        out += whole[arg] if arg in whole else [placeholders.expand(arg, values)]
    return out


def _python(spec: CheckSpec) -> Path:
    """The Python the check was written for (init writes one); else this one."""
    if not spec.pythons:
        return Path(sys.executable)
    found = interpreters.locate(spec.pythons[0], os.environ)
    if found is None:
        raise ToolMissing(f"Python {spec.pythons[0]}, which it runs on, is not installed here")
    return found


def _sync(root: Path, env: Path, python: Path, spec: CheckSpec, log: Path) -> None:
    """`uv sync --frozen` of the check's selection into `env` (uv.lock as it is), then its
    extra requirements (a version a pre-commit hook pins, say)."""
    uv = find_uv_bin()
    selection = [*(f"--group={g}" for g in spec.groups), *(f"--extra={e}" for e in spec.extras)]
    variables = {"UV_PROJECT_ENVIRONMENT": str(env), "UV_PYTHON_DOWNLOADS": "never"}
    argv = [uv, "sync", "--frozen", "--no-install-project", "--no-default-groups", *selection,
            "--python", str(python), "--project", str(root)]  # fmt: skip
    # VIRTUAL_ENV (ours, when run by `uv run`) would only make uv warn that it ignores it
    runner.run(argv, env=variables, unset=("VIRTUAL_ENV",), timeout=SYNC_BUDGET, log_to=log)
    if spec.requires:
        install = [uv, "pip", "install", "--python", str(env / "bin" / "python"), *spec.requires]
        runner.run(install, timeout=SYNC_BUDGET, log_to=log)


def _selection(spec: CheckSpec) -> str:
    named = [f"group {g}" for g in spec.groups] + [f"extra {e}" for e in spec.extras]
    return " and ".join([*named, *spec.requires]) or "the project's dependencies"


def by_hand(spec: CheckSpec, argv: Sequence[str], env: Path) -> str:
    """The `uv run` a user would type for the same run (pure)."""
    selection = [*(f"--group {g}" for g in spec.groups), *(f"--extra {e}" for e in spec.extras)]
    selection += [f"--with {r}" for r in spec.requires]
    selection += [f"--python {spec.pythons[0]}"] if spec.pythons else []
    program = Path(argv[0]).name if Path(argv[0]).parent == env / "bin" else argv[0]
    return " ".join(["uv run --frozen --no-default-groups", *selection, program, *argv[1:]])


def _tests(root: Path) -> list[str]:
    return [str(p.relative_to(root)) for p in layout.test_directories(root)]
