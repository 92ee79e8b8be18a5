#!/usr/bin/env -S uv run --script
# /// script
# requires-python = ">=3.11"
# dependencies = ["nox[uv]>=2025.10.16"]
# ///
"""Sessions for staged-release itself: its quality gates here, its lane sessions from
`release.sessions`, the module an adopting project's `import staged_release_sessions` loads.

An adopter names `staged-release` in the script header and imports `staged_release_sessions`; this
repository *is* staged-release, so it imports the library from its own source tree and has the
lane sessions run that tree (through `uv run`, with uv.lock's pins).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from release import sessions  # noqa: E402 - needs the source tree on sys.path
from release.core import interpreters  # noqa: E402

nox.needs_version = ">=2025.10.16"
nox.options.default_venv_backend = "uv|virtualenv"
# Use the Pythons this machine has; download one only when asked (NOX_DOWNLOAD_PYTHON=auto).
DOWNLOAD = os.environ.get("NOX_DOWNLOAD_PYTHON", "never")
nox.options.download_python = DOWNLOAD  # type: ignore[assignment]
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never" if DOWNLOAD == "never" else "automatic")

EXAMPLE_WORKFLOW = HERE / "examples" / "notes-service" / ".github" / "workflows" / "release.yml"
PYPROJECT = nox.project.load_toml(HERE / "pyproject.toml")
PYTHONS = nox.project.python_versions(PYPROJECT)
interpreters.expose(PYTHONS, os.environ)  # a cell still missing fails loudly under CI
sessions.COMMAND = ["uv", "run", "--quiet", "--locked", "--project", str(HERE), "staged-release"]


def sync(session: nox.Session, *groups: str) -> None:
    """Install the project as uv.lock pins it, plus the named dependency groups."""
    if session.venv_backend == "uv":
        location = str(session.virtualenv.location)
        session.run_install(
            "uv", "sync", "--locked", "--no-default-groups",
            *(f"--group={g}" for g in groups),
            env={"UV_PROJECT_ENVIRONMENT": location, "UV_PYTHON": location},
        )  # fmt: skip
    else:
        session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, *groups))


@nox.session(python=PYTHONS[0])
def lint(session: nox.Session) -> None:
    sync(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    # The architecture: layers, no import cycle, private modules (pyproject's [tool.importlinter]).
    session.run("lint-imports")
    # The workflows: release.yml is what the stage table generates (a hand edit is drift), and
    # both pass zizmor (offline, every severity; with the Dependabot config) and GitHub's workflow
    # schema.
    for project in (HERE, HERE / "examples" / "notes-service"):  # ours and the example's
        session.run(*sessions.COMMAND, "workflow", "--check", "--project", str(project),
                    external=True)  # fmt: skip
    found = [*(HERE / ".github" / "workflows").glob("*.yml"), EXAMPLE_WORKFLOW]
    workflows = sorted(str(p) for p in found)
    dependabot = str(HERE / ".github" / "dependabot.yml")
    session.run("zizmor", "--offline", "--persona", "pedantic", *workflows, dependabot)
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)


@nox.session(python=PYTHONS[0])
def typecheck(session: nox.Session) -> None:
    sync(session, "typecheck", "test")  # the tests import their group's packages (hypothesis)
    session.run("mypy", "--strict", "release", "staged_release_sessions.py", "noxfile.py", "tests")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    sync(session, "test")
    # The integration tests (devpi, Docker, rehearsals) make their own cells on every Python
    # whatever Python runs pytest: they run in the first cell only; the others run the unit and
    # CLI tests, which exercise the library on their interpreter. --durations: where time goes.
    # Two workers in the first cell (this machine has 2 cores and the integration tests wait on
    # servers much of the time), each module on one of them (loadscope): a module's own set-up
    # (an example built and published, a stack's images) is made once. Docker modules run on
    # both: each worker starts an engine of its own (tests/integration/docker/conftest.py).
    # (loadgroup's xdist_group marks are ignored with pytest 9 and xdist 3.8: the Docker group
    # never held; its engines waited for each other's data-root lock.)
    first = session.python == PYTHONS[0] or session.posargs
    workers = ["-n", "2", "--dist", "loadscope"]
    scope = ["--durations=12", *workers] if first else ["-m", "not integration"]
    session.run("pytest", *scope, *session.posargs)


BENCHMARKS = HERE / "benchmarks"


@nox.session(python=PYTHONS[0], default=False)
def bench(session: nox.Session) -> None:
    """The benchmarks (issue 25's figures beside their references; never part of the tests):
    `nox -s bench` runs every `benchmarks/<name>.py` in turn, `nox -s bench -- cell` one, and
    `nox -s bench -- cell --runs 3` passes what follows the names to each benchmark."""
    sync(session, "test")
    found = sorted(p.stem for p in BENCHMARKS.glob("*.py") if not p.name.startswith("_"))
    names = []
    args = list(session.posargs)
    while args and args[0] in found:
        names.append(args.pop(0))
    if args and not names and not args[0].startswith("-"):
        session.error(f"no benchmark {args[0]!r}; there are: {', '.join(found)}")
    for name in names or found:
        session.log(f"benchmark {name}")
        session.run("python", "-m", f"benchmarks.{name}", *args)


if __name__ == "__main__":
    nox.main()
