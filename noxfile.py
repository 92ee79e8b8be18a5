# /// script
# requires-python = ">=3.11"
# dependencies = ["nox[uv]>=2025.10.16"]
# ///
"""Sessions for staged-release itself. Thin: every session calls the `release` library.

A project adopting staged-release lists it in the script header above and imports `release`;
this repository *is* staged-release, so it imports the library from its own source tree.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from release import interpreters  # noqa: E402 - needs the source tree on sys.path first

nox.needs_version = ">=2025.10.16"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "typecheck", "tests"]
# Use the Pythons this machine has; download one only when asked (NOX_DOWNLOAD_PYTHON=auto).
DOWNLOAD = os.environ.get("NOX_DOWNLOAD_PYTHON", "never")
nox.options.download_python = DOWNLOAD  # type: ignore[assignment]
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never" if DOWNLOAD == "never" else "automatic")

PYPROJECT = nox.project.load_toml(HERE / "pyproject.toml")
PYTHONS = nox.project.python_versions(PYPROJECT)
interpreters.expose(PYTHONS, os.environ)  # a cell still missing fails loudly under CI


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


@nox.session(python=PYTHONS[0])
def typecheck(session: nox.Session) -> None:
    sync(session, "typecheck")
    session.run("mypy", "--strict", "release", "noxfile.py")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    sync(session, "test")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHONS[0])
def version_check(session: nox.Session) -> None:
    """pyproject.toml, uv.lock and the tag agree: `nox -s version_check -- --tag v1.2.3`."""
    sync(session)
    session.run("staged-release", "check", *session.posargs)


@nox.session(python=PYTHONS[0])
def plan(session: nox.Session) -> None:
    """Which lane this trigger runs: `nox -s plan -- --json`."""
    sync(session)
    session.run("staged-release", "plan", *session.posargs)


@nox.session(python=PYTHONS[0], default=False)
def build(session: nox.Session) -> None:
    """sdist + wheel into dist/ with a manifest, after the version check."""
    sync(session)
    session.run("staged-release", "build", *session.posargs)


@nox.session(python=PYTHONS[0], default=False)
def upload_testpypi(session: nox.Session) -> None:
    """Upload dist/ to TestPyPI (STAGED_RELEASE_INDEXES=local: to the local stand-in)."""
    sync(session)
    session.run("staged-release", "upload", "--index", "testpypi", *session.posargs)


@nox.session(python=PYTHONS[0], default=False)
def upload_pypi(session: nox.Session) -> None:
    """Upload dist/ to PyPI; a final needs an rc on TestPyPI first."""
    sync(session)
    session.run("staged-release", "upload", "--index", "pypi", *session.posargs)


@nox.session(python=PYTHONS, default=False)
def validate_rc(session: nox.Session) -> None:
    """Reinstall the rc from TestPyPI on this cell's Python and check it: `validate_rc-3.12`."""
    _validate(session, "testpypi", "validate_rc")


@nox.session(python=PYTHONS, default=False)
def validate_final(session: nox.Session) -> None:
    """Reinstall the final from PyPI on this cell's Python and check it."""
    _validate(session, "pypi", "validate_final")


def _validate(session: nox.Session, index: str, stage: str) -> None:
    sync(session)
    python = str(session.python)
    session.run(
        "staged-release", "validate", "--index", index, "--python", python, "--stage", stage,
        *session.posargs,
    )  # fmt: skip


@nox.session(python=PYTHONS[0], default=False)
def rehearse_rc(session: nox.Session) -> None:
    """The whole rc lane on local stand-in indexes: build, upload, validate on every Python."""
    sync(session)
    session.run("staged-release", "rehearse", "rc", *session.posargs)


@nox.session(python=PYTHONS[0], default=False)
def bump(session: nox.Session) -> None:
    """Move to the next free version: `nox -s bump -- rc` (or final, post, X.Y.Z).

    Counts git tags and what TestPyPI and PyPI list (`STAGED_RELEASE_INDEXES=local`: the local
    stand-ins); `nox -s bump -- rc --offline` counts the tags only.
    """
    if not session.posargs:
        session.error("say what to bump to: nox -s bump -- rc|final|post|X.Y.Z")
    sync(session)
    session.run("staged-release", "bump", *session.posargs)
