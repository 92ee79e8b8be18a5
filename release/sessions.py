"""Every lane session of staged-release, for the project whose noxfile imports this module.

An adopter's whole noxfile can be:

    # /// script
    # dependencies = ["nox[uv]", "staged-release"]
    # ///
    import staged_release_sessions

    staged_release_sessions.register()  # the lane sessions of staged-release

(which imports this module, never a `release` of the project's own; see that module). Sessions
are thin: each runs one `staged-release` command for the project. They run it with the
interpreter that runs nox (the noxfile's PEP 723 header brings staged-release there), as
`python -P -m release`: the project's directory stays off sys.path there too. So the
single ones need no environment of their own; the per-Python ones (`<stage>-3.12`) get nox's
usual one, which only names the cell. All are default=False: `nox` alone still runs the
project's own sessions.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nox

from release.config.project import read_pythons
from release.core import interpreters, runner
from release.pipeline.stages import STAGES

ROOT = Path.cwd()  # nox loads a noxfile from its own directory: the project's
PYTHONS = read_pythons(ROOT)
# How sessions run staged-release; a noxfile may replace it (this repository runs its own tree).
COMMAND: list[str] = runner.python_module("release")


@dataclass(frozen=True)
class LaneSession:
    name: str
    argv: tuple[str, ...]  # the staged-release command, before the session's posargs
    doc: str
    per_python: bool = False  # one session per Python: "<name>-3.12"


# A session for every stage of the table, in table order, then the tools around the lanes.
SESSIONS = (
    *(LaneSession(s.name, s.command, s.doc, s.per_python) for s in STAGES.values()),
    LaneSession("plan", ("plan",), "Which lane this trigger runs: `nox -s plan -- --json`"),
    LaneSession("github_release", ("github-release",), "The tag's GitHub Release: notes, the "
                "files of dist/ and SHA256SUMS (the PyPI lane's last job, on GitHub)"),
    LaneSession("bump", ("bump",), "Move to the next free version: `nox -s bump -- rc` "
                "(or final, post, X.Y.Z)"),
    LaneSession("rehearse_rc", ("rehearse", "rc"),
                "The whole rc lane on local stand-in indexes, from a scratch copy"),
    LaneSession("rehearse_final", ("rehearse", "final"),
                "The rc lane, then the whole PyPI lane with images, on the local stand-ins"),
    LaneSession("rehearse_workflow", ("rehearse", "--workflow"),
                "The project's release.yml under act: an rc tag's push, then the final's, on "
                "local stand-ins"),
    LaneSession("status", ("status",), "Tags, TestPyPI, PyPI and the registry side by side, "
                "and the drift between them (exit 1 on drift)"),
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


def register() -> None:
    """Register the lane sessions nox's registry lacks. A noxfile calls this: run as a script
    (`./noxfile.py`), it is executed twice, and `nox.main()` clears the registry in between,
    where the second, cached import of this module would register nothing."""
    known = nox.registry.get()
    for lane in SESSIONS:
        if lane.name not in known:
            _register(lane)


# The cells' Pythons are found where pyenv keeps them, so nox never downloads one for a name.
interpreters.expose(PYTHONS, os.environ)
register()  # on import too: the noxfiles written before register() import this module alone
