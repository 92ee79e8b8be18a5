"""Every lane session of staged-release, for the project whose noxfile imports this module.

An adopter's whole noxfile can be:

    # /// script
    # dependencies = ["nox[uv]", "staged-release"]
    # ///
    import release.sessions  # noqa: F401 - registers the lane sessions

Sessions are thin: each runs one `staged-release` command for the project. They run it with the
interpreter that runs nox (the noxfile's PEP 723 header brings staged-release there), so the
single ones need no environment of their own; the per-Python ones (`validate_rc-3.12`) get nox's
usual one, which only names the cell. All are default=False: `nox` alone still runs the
project's own sessions.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nox

from release.config.project import read_pythons
from release.validation import interpreters

ROOT = Path.cwd()  # nox loads a noxfile from its own directory: the project's
PYTHONS = read_pythons(ROOT)
# How sessions run staged-release; a noxfile may replace it (this repository runs its own tree).
COMMAND: list[str] = [sys.executable, "-m", "release"]


@dataclass(frozen=True)
class LaneSession:
    name: str
    argv: tuple[str, ...]  # the staged-release command, before the session's posargs
    doc: str
    per_python: bool = False  # one session per Python: "<name>-3.12"


SESSIONS = (
    LaneSession("version_check", ("check",),
                "pyproject.toml, uv.lock and the tag agree (`-- --tag vX.Y.Z`)"),
    LaneSession("plan", ("plan",), "Which lane this trigger runs: `nox -s plan -- --json`"),
    LaneSession("bump", ("bump",), "Move to the next free version: `nox -s bump -- rc` "
                "(or final, post, X.Y.Z)"),
    LaneSession("build", ("build",), "sdist + wheel into dist/ with a manifest, after the "
                "version check"),
    LaneSession("upload_testpypi", ("upload", "--index", "testpypi"),
                "Upload dist/ to TestPyPI (STAGED_RELEASE_INDEXES=local: to the local stand-in)"),
    LaneSession("upload_pypi", ("upload", "--index", "pypi"),
                "Upload dist/ to PyPI; a final needs an rc on TestPyPI first"),
    LaneSession("validate_rc", ("validate", "--index", "testpypi", "--stage", "validate_rc"),
                "Reinstall the rc from TestPyPI on this Python and check it", per_python=True),
    LaneSession("validate_final", ("validate", "--index", "pypi", "--stage", "validate_final"),
                "Reinstall the final from PyPI on this Python and check it", per_python=True),
    LaneSession("candidate_checks", ("candidate-checks",),
                "Install the built wheel from dist/ on this Python and check it, before any upload",
                per_python=True),
    LaneSession("e2e_rc", ("e2e", "--stage", "e2e_rc"),
                "The E2E stack around images of the rc from TestPyPI"),
    LaneSession("e2e_prepublish", ("e2e", "--stage", "e2e_prepublish"),
                "The E2E stack around images of the wheel in dist/, before the PyPI upload"),
    LaneSession("e2e_postpublish", ("e2e", "--stage", "e2e_postpublish"),
                "The E2E stack around the published images and the package from PyPI"),
    LaneSession("images", ("images",),
                "Build, smoke-test and push the Docker images (after validate_final passed)"),
    LaneSession("rehearse_rc", ("rehearse", "rc"),
                "The whole rc lane on local stand-in indexes, from a scratch copy"),
    LaneSession("rehearse_final", ("rehearse", "final"),
                "The rc lane, then the whole PyPI lane with images, on the local stand-ins"),
)  # fmt: skip


def staged_release(session: nox.Session, *argv: str) -> None:
    """Run `staged-release ARGV` for the project, then the session's own arguments."""
    command = [*COMMAND, *argv[:1], "--project", str(ROOT), *argv[1:], *session.posargs]
    session.run(*command, external=True)


def _function(lane: LaneSession) -> Callable[[nox.Session], None]:
    def session(session: nox.Session) -> None:
        if lane.name == "bump" and not session.posargs:
            session.error("say what to bump to: nox -s bump -- rc|final|post|X.Y.Z")
        cell = ("--python", str(session.python)) if lane.per_python else ()
        staged_release(session, *lane.argv, *cell)

    session.__doc__ = lane.doc
    return session


def _register(lane: LaneSession) -> None:
    # A single session needs no environment (python=False); a per-Python one is a nox cell.
    python = list(PYTHONS) if lane.per_python else False
    nox.session(name=lane.name, python=python, default=False)(_function(lane))


# The cells' Pythons are found where pyenv keeps them, so nox never downloads one for a name.
interpreters.expose(PYTHONS, os.environ)
for _lane in SESSIONS:
    _register(_lane)
