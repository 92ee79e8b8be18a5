"""The repository the rehearsal plays GitHub with: a git repository made from the project's
files (what git would commit, as every rehearsal copies), its commits and tags the rehearsal's
own. The project's repository is only read. act reads the owner and name from the `origin`
remote's address, which is never contacted (act runs offline, the checkout stand-in clones from
this directory)."""

from __future__ import annotations

import shutil
from pathlib import Path

from release.artifacts.source import copy_source
from release.core import runner
from release.rehearsals.workflow.events import Repository

AUTHOR = ("-c", "user.name=staged-release rehearsal", "-c", "user.email=rehearsal@localhost")


def make(project: Path, where: Path, repository: Repository) -> Path:
    """A fresh repository at `where` holding the project's files in one commit."""
    shutil.rmtree(where, ignore_errors=True)
    copy_source(project, where)
    _git(where, "init", "-q", "-b", repository.default_branch)
    commit(where, "the project as the rehearsal found it")
    origin = f"https://github.com/{repository.full_name}.git"
    _git(where, "remote", "add", "origin", origin)
    return where


def commit(repo: Path, message: str) -> str:
    """Commit everything (an operator's version bump, say) and return the commit."""
    _git(repo, "add", "-A")
    _git(repo, *AUTHOR, "commit", "-q", "--allow-empty", "-m", message)
    return head(repo)


def tag(repo: Path, name: str) -> str:
    """Tag HEAD (as `git tag` + `git push` would publish it) and return its commit."""
    _git(repo, "tag", "--", name)
    return head(repo)


def commit_of(repo: Path, name: str) -> str:
    """The commit tag `name` points at."""
    return _git(repo, "rev-parse", f"refs/tags/{name}^{{commit}}").strip()


def check_out(repo: Path, ref: str) -> None:
    """What act reads GITHUB_SHA (and a release event's ref) from: HEAD, detached at `ref`."""
    _git(repo, "checkout", "-q", "--detach", ref)


def back_to_branch(repo: Path, branch: str) -> None:
    _git(repo, "checkout", "-q", branch)


def head(repo: Path) -> str:
    return _git(repo, "rev-parse", "HEAD").strip()


def _git(repo: Path, *args: str) -> str:
    return runner.run(["git", "-C", str(repo), *args]).stdout
