"""`staged-release init`: how a project starts. It inspects the project and writes what the
suite needs: a `[tool.staged-release]` table (what it found: the modules in the built wheel, the
test dependencies, the checks of the tools the project already uses), a noxfile importing
the lane sessions (or the lines to add to the project's own) and the release workflow
(.github/workflows/release.yml, generated from the stage table).

Nothing that exists is overwritten without --force, so a second run changes nothing.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from release.artifacts import metadata
from release.artifacts.build import version_env
from release.artifacts.source import copy_source
from release.config import detect, layout
from release.config.images import registry_note
from release.config.project import STATE_DIR, load_config, load_toml, read_pythons
from release.config.requirement_files import Unpinned, unpinned
from release.config.settings import parse_settings
from release.core import interpreters, runner
from release.core.errors import ConfigError, IntegrityError
from release.github import workflow
from release.init_noxfile import noxfile
from release.versioning.versions import parse_version

_UNPINNED = (
    "note: {tool} is configured, but no dependency group, extra or pre-commit hook pins it, so "
    "no check was written for it (pin it in a group, then `staged-release init --force`)"
)
_OLDER = (
    "note: {tools} run on Python {python}, the newest of the lane ({lane}) this machine has; "
    "{newest} is not installed here (install it and set their pythons to it if you want it)"
)
_NONE_INSTALLED = (
    "note: {tools} run on Python {python}, but none of the lane's Pythons ({lane}) is installed "
    "here, so they will not run locally"
)
_NO_LOCK = (
    "note: no uv.lock: the lanes' version check compares pyproject.toml, uv.lock and the tag, "
    "and their tools install what uv.lock pins; run `uv lock` and commit uv.lock"
)
_NO_TESTS = (
    "note: no tests check was written: {why}; a check that checks nothing fails, so add "
    '"tests" to checks once there are tests'
)
_OUTSIDE = (
    "note: {file} lists {names}, which {where}, and the tests check installs only what "
    "uv.lock pins: `uv add {option} {listed}` (the check then installs that {kind})"
)
_MARK = "# Written by `staged-release init` from what it found; edit freely."
_WHEEL_BUDGET = 900.0  # seconds to build the wheel that shows which modules it installs


def init(root: Path, *, force: bool = False, try_checks: bool = True) -> list[str]:
    """Write what the project lacks; return what was done, one line each. With `try_checks`,
    the tool checks just written are then run once on the source tree, and how each went is
    said (release.init_try); nothing written changes for it."""
    pyproject = load_toml(root / "pyproject.toml", "run from the project root or pass --project")
    written, table = _settings(root, pyproject, force)
    done = [*written, noxfile(root, force), _workflow(root, force), _gitignore(root)]
    if try_checks and table is not None:
        from release.init_try import try_checks as tried

        tools = [c for c in parse_settings(table).checks if c.name in table.get("check", {})]
        done += tried(root, tools, table["import"])
    return done


@dataclass(frozen=True)
class Findings:
    """What init found in a project, for the pure decision of what to write."""

    pyproject: Mapping[str, Any]
    files: frozenset[str]  # the names in the project's root directory
    modules: list[str]  # the top-level modules of its wheel
    pythons: tuple[str, ...]
    hook_pins: Mapping[str, str] = field(default_factory=dict)  # tool -> version pre-commit pins
    installed: tuple[str, ...] | None = None  # which of `pythons` this machine has (None: all)
    untested: str | None = None  # why pytest would collect nothing there (None: it has tests)
    outside: Unpinned | None = None  # test requirements kept where no group or extra pins them


def settings_table(found: Findings) -> tuple[dict[str, Any], list[str]]:
    """The [tool.staged-release] table for what the project uses, and notes on what was left
    out (pure). A tool's check runs the version the project pins, in one cell: the newest
    Python of the lane this machine has (a linter's verdict does not depend on the interpreter;
    a type checker's is the project's own choice of one), so it runs where it was written."""
    names, checks, notes = ["compile", "import"], {}, []
    python = _tool_python(found)
    for tool in detect.tools_used(found.pyproject, found.files):
        source = _tool_source(found, tool.package)
        if source is None:
            notes.append(_UNPINNED.format(tool=tool.name))
            continue
        checks[tool.name] = {**source, "pythons": [python], "run": list(tool.run)}
        names.append(tool.name)
    notes += _pin_notes(found, python, list(checks))
    notes += [] if "uv.lock" in found.files else [_NO_LOCK]
    if found.untested is None:
        names.append("tests")  # the built-in check, which installs the test dependencies itself
        notes += [_outside_note(found.outside)] if found.outside else []
    else:  # it would check nothing, and fail (or pass vacuously) on the first rehearsal
        notes.append(_NO_TESTS.format(why=found.untested))
    table: dict[str, Any] = {"import": found.modules, "checks": names}
    return ({**table, "check": checks} if checks else table), notes


def _outside_note(outside: Unpinned) -> str:
    """How to pin the test requirements the cells would miss, in the group or extra the tests
    check already installs, else in a new `tests` group (which it then finds)."""
    kind, _, name = outside.where.partition(" ")
    where = {"extra": f"its extra {name} does not list",
             "group": f"its dependency group {name} does not pin"}.get(kind)  # fmt: skip
    option = f"--optional {name}" if kind == "extra" else f"--group {name or 'tests'}"
    return _OUTSIDE.format(
        file=outside.file, names=", ".join(outside.names), listed=" ".join(outside.names),
        where=where or "no dependency group pins", option=option, kind=kind or "group",
    )  # fmt: skip


def _tool_source(found: Findings, package: str) -> dict[str, Any] | None:
    """Where a tool's pinned version comes from: a group or extra of the project (as uv.lock
    pins it), else the version its pre-commit hook pins; None when nothing pins it."""
    pinned = _from(detect.provider(found.pyproject, package))
    if pinned is None and package in found.hook_pins:
        return {"requires": [f"{package}=={found.hook_pins[package]}"]}
    return pinned


def _from(where: detect.Dependencies) -> dict[str, Any] | None:
    if where.groups:
        return {"groups": list(where.groups)}
    return {"extras": list(where.extras)} if where.extras else None


def _tool_python(found: Findings) -> str:
    """The newest Python of the lane this machine has (the lane's newest when it has none): a
    cell whose Python is missing is skipped, and checks pinned to it would never run."""
    return _newest(found.installed or found.pythons)


def _pin_notes(found: Findings, python: str, tools: list[str]) -> list[str]:
    """Why the tool checks run on `python` when it is not the lane's newest, or cannot run here."""
    lane, newest = ", ".join(found.pythons), _newest(found.pythons)
    if not tools or found.installed is None or newest in found.installed:
        return []
    named = ", ".join(tools)
    if not found.installed:
        return [_NONE_INSTALLED.format(tools=named, python=python, lane=lane)]
    return [_OLDER.format(tools=named, python=python, lane=lane, newest=newest)]


def _newest(pythons: tuple[str, ...]) -> str:
    return max(pythons, key=lambda p: tuple(int(n) for n in p.split(".")))


def _settings(
    root: Path, pyproject: dict[str, Any], force: bool
) -> tuple[list[str], dict[str, Any] | None]:
    """What was done about the table, and the table written (None: the project's was kept)."""
    if _has_table(pyproject) and not force:
        kept = "pyproject.toml already has [tool.staged-release]; left as it is (--force redoes it)"
        return [kept], None
    table, notes = settings_table(_findings(root, pyproject))
    parse_settings(table)  # what we write must be valid
    path = root / "pyproject.toml"
    path.write_text(with_table(path.read_text(encoding="utf-8"), table), encoding="utf-8")
    wrote = f"wrote [tool.staged-release] to pyproject.toml: checks {', '.join(table['checks'])}"
    return [wrote, *notes], table


def _findings(root: Path, pyproject: dict[str, Any]) -> Findings:
    files = frozenset(p.name for p in root.iterdir())
    hooks = root / detect.PRE_COMMIT
    pins = detect.hook_pins(hooks.read_text(encoding="utf-8")) if hooks.is_file() else {}
    modules = wheel_modules(root, pyproject)
    pythons = read_pythons(root)
    installed = tuple(p for p in pythons if interpreters.locate(p, os.environ) is not None)
    untested, outside = layout.untested(root), unpinned(root, pyproject)
    return Findings(pyproject, files, modules, pythons, pins, installed, untested, outside)


def with_table(text: str, table: dict[str, Any]) -> str:
    """`text` with [tool.staged-release] set to `table`; everything else kept as written."""
    doc = tomlkit.parse(text)
    tool = doc.get("tool")
    if tool is not None and "staged-release" in tool:
        del tool["staged-release"]
    ours = tomlkit.dumps({"tool": {"staged-release": table}})
    # The old table's mark goes wherever it is: `uv add` puts a new table between it and ours.
    kept = "\n".join(line for line in tomlkit.dumps(doc).splitlines() if line != _MARK).rstrip()
    written = f"{kept}\n\n{_MARK}\n{ours}"
    if _table_in(written) != table:
        raise ConfigError(  # e.g. `tool = {...}` written inline, which no table can extend
            "pyproject.toml's [tool] cannot take a [tool.staged-release] table as written",
            hint="write [tool] as a table, or add [tool.staged-release] by hand (see the README)",
        )
    return written


def _table_in(text: str) -> object:
    try:
        return tomllib.loads(text).get("tool", {}).get("staged-release")
    except tomllib.TOMLDecodeError:
        return None


def wheel_modules(root: Path, pyproject: Mapping[str, Any]) -> list[str]:
    """The top-level modules of the project's wheel, built from a scratch copy of the tree."""
    with tempfile.TemporaryDirectory(prefix="staged-release-init-") as scratch:
        source = copy_source(root, Path(scratch) / "src")
        argv = [*runner.python_module("build"), "--wheel", "--installer", "uv"]
        env = _any_version(pyproject)
        log = root / STATE_DIR / "logs" / "init-build.log"
        log.unlink(missing_ok=True)
        runner.run([*argv, "--outdir", f"{scratch}/dist", str(source)], env=env,
                   timeout=_WHEEL_BUDGET, log_to=log)  # fmt: skip
        return metadata.wheel_modules(_the_wheel(Path(scratch, "dist"), log))


def _the_wheel(dist: Path, log: Path) -> Path:
    """The wheel the build wrote; a backend that wrote none is as broken as a broken wheel."""
    wheels = sorted(dist.glob("*.whl"))
    if not wheels:
        raise IntegrityError(
            "`python -m build --wheel` succeeded, yet the build backend wrote no wheel",
            hint=f"see what the backend did: its whole output is in {log}",
        )
    return wheels[0]


def _any_version(pyproject: Mapping[str, Any]) -> dict[str, str]:
    """A version from git tags cannot be read in a copy without .git: any will do to see which
    modules the wheel holds."""
    project = pyproject.get("project")
    dynamic = isinstance(project, dict) and "version" in (project.get("dynamic") or [])
    name = str(project.get("name", "")) if isinstance(project, dict) else ""
    return version_env(name, parse_version("0.0.0")) if dynamic else {}


def _gitignore(root: Path) -> str:
    """The state directory ignored at the root, where every build backend looks: hatchling reads
    no .gitignore but the root's, so the one inside the state directory keeps `git status` clean
    but not an sdist built in the working tree."""
    path = root / ".gitignore"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if any(line.strip().strip("/") == STATE_DIR for line in text.splitlines()):
        return f".gitignore already ignores {STATE_DIR}/"
    gap = "\n" if text and not text.endswith("\n") else ""
    path.write_text(f"{text}{gap}# staged-release's state, logs and reports\n/{STATE_DIR}/\n")
    return f"added /{STATE_DIR}/ to .gitignore: no build may pack the suite's state into an sdist"


def _workflow(root: Path, force: bool) -> str:
    """The release workflow for the settings just written (or kept)."""
    path = root / workflow.PATH
    facts = workflow.facts_of(load_config(root))
    text = workflow.release_workflow(facts)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return f"{workflow.PATH} is what this staged-release generates"
    if path.exists() and not force:
        return (
            f"{workflow.PATH} exists and differs from what this staged-release generates; left "
            "as it is (`staged-release workflow --check` shows how; --force writes it anew)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    wrote = f"wrote {workflow.PATH}: jobs {', '.join(workflow.job_names(facts))}"
    note = registry_note(facts.images)
    return f"{wrote}\n{note}" if note else wrote


def _has_table(pyproject: Mapping[str, Any]) -> bool:
    tool = pyproject.get("tool")
    return isinstance(tool, dict) and "staged-release" in tool
