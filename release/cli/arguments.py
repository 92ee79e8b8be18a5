"""The command line of `staged-release`: every command, option and the types of their values.

Its own module so that the CLI module holds only what commands do. Every value is checked here:
an empty one is refused (never read as "not given"), seconds must be positive.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

from release.cli._stage_arguments import CHECK_TIMEOUT, no_cache, stage_commands
from release.cli._values import count as _count
from release.cli._values import event as _event
from release.cli._values import given as _given
from release.cli._values import pair as _pair
from release.cli._values import path as _path
from release.cli._values import seconds as _seconds
from release.core.errors import UsageError
from release.index import profiles as indexes
from release.versioning.versions import Kind

KINDS = [k.value for k in Kind]
DESCRIPTION = "Carry a Python package from a version tag to a verified release."


class _Parser(argparse.ArgumentParser):
    """argparse that refuses empty values and reports like every other error: one line, exit 2.

    An empty value is never "not given": `--tag "$TAG"` with TAG unset must not skip the check.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("type", None, _given)  # the type of every option that names none

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, hint=f"see `{self.prog} --help`")


if TYPE_CHECKING:
    Sub: TypeAlias = argparse._SubParsersAction[_Parser]  # the commands, as argparse calls them


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="staged-release", description=DESCRIPTION)
    top.add_argument("-v", "--verbose", action="store_true", help="log every command run")
    top.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    top.register("type", None, str)  # it hands a command's arguments to the command as given
    sub = top.add_subparsers(dest="command", required=True)
    project = _project()
    stage_commands(sub, _where(project))
    _version_commands(sub, project)
    _fix_forward_commands(sub, project)
    _rehearse_command(sub, project)
    sub.add_parser("schema", parents=[project], help="validate settings and workflows")
    init = sub.add_parser("init", parents=[project], help="set a project up for the suite")
    init.add_argument("--force", action="store_true", help="write anew what exists already")
    init.add_argument(
        "--no-try", action="store_true",
        help="do not run the tool checks it wrote once on the source tree",
    )  # fmt: skip
    _status_command(sub, project)
    workflow = sub.add_parser("workflow", parents=[project], help="write the release workflow")
    workflow.add_argument("--check", action="store_true", help="exit 1 with a diff on drift")
    workflow.add_argument("--output", type=_path, help="default: .github/workflows/release.yml")
    release = sub.add_parser(
        "github-release", parents=[project],
        help="the tag's GitHub Release: notes, the files of dist/ and SHA256SUMS (on GitHub)",
    )  # fmt: skip
    release.add_argument("--dist", type=_path, help="default: dist/")
    return top


def _project() -> _Parser:
    """What every command takes: the project, and -v/-q after the command too."""
    project = _Parser(add_help=False)
    project.add_argument("--project", type=_path, default=Path(), help="project root (default .)")
    # SUPPRESS keeps one given after the command from resetting one given before it.
    project.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS)
    project.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS)
    return project


def _version_commands(sub: Sub, project: _Parser) -> None:
    plan = sub.add_parser("plan", parents=[project], help="choose the lane for this trigger")
    plan.add_argument("--json", action="store_true", help="print one JSON object")
    plan.add_argument("--event", help="push, release, workflow_dispatch or local")
    plan.add_argument("--ref", help="the ref that triggered the run (refs/tags/v1.2.3 or v1.2.3)")
    plan.add_argument("--publish-target", help="testpypi or pypi (workflow_dispatch only)")
    plan.add_argument("--source-ref", help="the ref a dispatch releases")
    plan.add_argument("--expected-version", help="the version the dispatcher expects")
    plan.add_argument(
        "--check-workflow", action="store_true",
        help="fail (with the diff) when .github/workflows/release.yml is not what the project's "
        "settings generate, as `workflow --check` does",
    )  # fmt: skip


def _fix_forward_commands(sub: Sub, project: _Parser) -> None:
    consumed = _Parser(add_help=False, parents=[project])
    consumed.add_argument("--base", help="X.Y.Z to bump within (default: the current version's)")
    consumed.add_argument(
        "--consumed", action="append", default=[], metavar="V", help="a version seen elsewhere"
    )
    read = consumed.add_mutually_exclusive_group()
    read.add_argument(
        "--offline", action="store_true", help="count git tags only; do not read the indexes"
    )
    read.add_argument(
        "--indexes", help=f"public (default), local or stand-ins: read those ({indexes.MODE_ENV})"
    )
    nxt = sub.add_parser("next", parents=[consumed], help="print the next free version")
    nxt.add_argument("kind", choices=KINDS)
    bump = sub.add_parser("bump", parents=[consumed], help="write the next version and lock")
    bump.add_argument("target", metavar="{rc,final,post,VERSION}")
    bump.add_argument(
        "--tag", action="store_true", help="a dynamic version: create its tag at HEAD"
    )


def _status_command(sub: Sub, project: _Parser) -> None:
    status = sub.add_parser(
        "status", parents=[project], help="tags, indexes and registry side by side, and drift"
    )
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.add_argument("--dist", type=_path, help="whose manifest to compare (default: dist/)")
    read = status.add_mutually_exclusive_group()
    read.add_argument("--offline", action="store_true", help="read git tags and local files only")
    read.add_argument(
        "--indexes", help=f"public (default), local or stand-ins: read those ({indexes.MODE_ENV})"
    )


def _where(project: _Parser) -> _Parser:
    """Where a stage's build is and which indexes it talks to."""
    where = _Parser(add_help=False, parents=[project])
    where.add_argument("--dist", type=_path, help="where the build is (default: PROJECT/dist)")
    where.add_argument(
        "--indexes", help=f"public (default), local or stand-ins ({indexes.MODE_ENV})"
    )
    where.add_argument(
        "--dependency-index",
        help=f"trusted index for dependencies ({indexes.DEPENDENCY_INDEX_ENV})",
    )
    return where


def _rehearse_command(sub: Sub, project: _Parser) -> None:
    rehearse = sub.add_parser(
        "rehearse", parents=[project], help="rehearse the whole release, or one lane, locally"
    )
    rehearse.add_argument(
        "lane", nargs="?", choices=["rc", "final"], help="one lane (default: the whole machine)"
    )
    rehearse.add_argument("--report", type=_path, help="JSON report (default: .staged-release/)")
    rehearse.add_argument(
        "--report-dir", type=_path,
        help="write report.json, report.md and report.html here (the whole machine's default: "
        ".staged-release/report/)",
    )  # fmt: skip
    rehearse.add_argument(
        "--fail-at", metavar="STAGE[:PYTHON]",
        help="the whole machine: make rc1 (or the final) fail there on purpose, then fix forward",
    )  # fmt: skip
    rehearse.add_argument(
        "--post-fix", action="store_true",
        help="the whole machine: after the final, ship X.Y.Z.post1 through the PyPI lane",
    )  # fmt: skip
    rehearse.add_argument(
        "--workflow", action="store_true",
        help="run the project's .github/workflows/release.yml under act on local stand-ins",
    )  # fmt: skip
    rehearse.add_argument(
        "--event", action="append", type=_event, metavar="KIND[:TAG]",
        help="--workflow: send this event (push, release or workflow_dispatch) for the tag at "
        "HEAD, or for TAG (made when new); repeat for several (default: push an rc tag, then "
        "the final's)",
    )  # fmt: skip
    rehearse.add_argument(
        "--keep-going", action="store_true",
        help="--workflow: send every event, also after one whose run failed",
    )  # fmt: skip
    rehearse.add_argument(
        "--input", action="append", type=_pair, metavar="NAME=VALUE",
        help="--workflow: an input of a workflow_dispatch event",
    )  # fmt: skip
    rehearse.add_argument("--jobs", type=_count, default=2, help="validation cells run at once")
    rehearse.add_argument("--dependency-index", help="trusted index for dependencies")
    rehearse.add_argument("--check-timeout", type=_seconds, help=CHECK_TIMEOUT)
    rehearse.add_argument("--tag", help="the version tag to rehearse (default: the one at HEAD)")
    _workflow_credentials(rehearse)
    no_cache(rehearse)


def _workflow_credentials(rehearse: _Parser) -> None:
    """How the rehearsal's index fronts treat credentials (see the README, "Rehearsing the
    workflow")."""
    rehearse.add_argument(
        "--token-lifetime", type=_seconds, metavar="SECONDS",
        help="--workflow: how long a minted upload token lasts (default 900, PyPI's)",
    )  # fmt: skip
    rehearse.add_argument(
        "--clock-step", type=_seconds, metavar="SECONDS",
        help="--workflow: each read of an index moves the stand-ins' clock on this much (a slow "
        "upload: lookups, signing), so tokens age without the rehearsal waiting",
    )  # fmt: skip
    rehearse.add_argument(
        "--no-publisher", action="append", choices=[indexes.STAGING, indexes.RELEASE],
        help="--workflow: register no trusted publisher on this index; the workflow's token "
        "secret (TESTPYPI_API_TOKEN / PYPI_API_TOKEN) holds an API token it takes instead",
    )  # fmt: skip
