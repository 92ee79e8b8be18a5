"""actions/checkout (v5) on this machine: the same git commands the real action runs, against
a local repository that plays GitHub's copy ($STAGED_RELEASE_ACT_REPOSITORY).

What it fetches and checks out follows the action's own rules (its ref-helper): the event's
ref and sha by default, a 40-hex `ref` as a bare commit, `fetch-depth: 1` that commit only and
no tags, `fetch-depth: 0` every branch and tag. No credentials exist here, so none are
persisted: the repository's config gets the origin (a file:// URL) and nothing else.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from release.core import runner
from release.core.errors import ActionFailed, StandInRefused
from release.rehearsals.workflow import actions
from release.rehearsals.workflow.actions._job import Job, info

REPOSITORY_ENV = actions.REPOSITORY
TAGS_REFSPEC = "+refs/tags/*:refs/tags/*"
_SHA = re.compile(r"[0-9a-fA-F]{40}")
# Inputs whose work needs GitHub or tools this stand-in does not drive: refused when asked for.
_NOT_EMULATED = ("ssh-key", "sparse-checkout", "filter")


@dataclass(frozen=True)
class Source:
    ref: str  # qualified (refs/...) or as written; "" when a bare commit is asked for
    commit: str  # "" when only a ref names it


def source(ref_input: str, event_ref: str, event_sha: str) -> Source:
    """input-helper: no `ref` → the event's ref and sha; a 40-hex `ref` → that commit."""
    if not ref_input:
        ref = event_ref
        if event_sha and ref and not ref.startswith("refs/"):
            ref = f"refs/heads/{ref}"
        return Source(ref, event_sha)
    if _SHA.fullmatch(ref_input):
        return Source("", ref_input)
    return Source(ref_input, "")


def refspecs(src: Source) -> list[str]:
    """ref-helper getRefSpec: exactly what names the wanted commit."""
    ref, commit, upper = src.ref, src.commit, src.ref.upper()
    if commit:
        if upper.startswith("REFS/HEADS/"):
            return [f"+{commit}:refs/remotes/origin/{ref[len('refs/heads/') :]}"]
        if upper.startswith("REFS/PULL/"):
            return [f"+{commit}:refs/remotes/pull/{ref[len('refs/pull/') :]}"]
        if upper.startswith("REFS/TAGS/"):
            return [f"+{commit}:{ref}"]
        return [commit]
    if not upper.startswith("REFS/"):
        return [
            f"+refs/heads/{ref}*:refs/remotes/origin/{ref}*",
            f"+refs/tags/{ref}*:refs/tags/{ref}*",
        ]
    if upper.startswith("REFS/HEADS/"):
        return [f"+{ref}:refs/remotes/origin/{ref[len('refs/heads/') :]}"]
    if upper.startswith("REFS/PULL/"):
        return [f"+{ref}:refs/remotes/pull/{ref[len('refs/pull/') :]}"]
    return [f"+{ref}:{ref}"]


def all_history(src: Source) -> list[str]:
    """ref-helper getRefSpecForAllHistory: every branch and tag (fetch-depth 0)."""
    specs = ["+refs/heads/*:refs/remotes/origin/*", TAGS_REFSPEC]
    if src.ref.upper().startswith("REFS/PULL/"):
        specs.append(f"+{src.commit or src.ref}:refs/remotes/pull/{src.ref[len('refs/pull/') :]}")
    return specs


def fetch_argv(specs: list[str], depth: int, tags: bool, shallow: bool) -> list[str]:
    """git-command-manager fetch: no tags unless asked (or all tags are fetched anyway)."""
    argv = ["git", "-c", "protocol.version=2", "fetch"]
    if TAGS_REFSPEC not in specs and not tags:
        argv.append("--no-tags")
    argv += ["--prune", "--no-recurse-submodules"]
    if depth > 0:
        argv.append(f"--depth={depth}")
    elif shallow:
        argv.append("--unshallow")
    return [*argv, "origin", *specs]


def checkout_target(src: Source, branch_exists: bool, tag_exists: bool) -> tuple[str, str]:
    """ref-helper getCheckoutInfo: (what to check out, the start point of a branch or "").
    The two flags say whether an unqualified ref names a fetched branch or tag."""
    ref, upper = src.ref, src.ref.upper()
    if not ref:
        return src.commit, ""
    if upper.startswith("REFS/HEADS/"):
        branch = ref[len("refs/heads/") :]
        return branch, f"refs/remotes/origin/{branch}"
    if upper.startswith("REFS/PULL/"):
        return f"refs/remotes/pull/{ref[len('refs/pull/') :]}", ""
    if upper.startswith("REFS/TAGS/"):
        return ref, ""
    if upper.startswith("REFS/"):
        return src.commit or ref, ""
    if branch_exists:
        return ref, f"refs/remotes/origin/{ref}"
    if tag_exists:
        return f"refs/tags/{ref}", ""
    raise ActionFailed(f"A branch or tag with the name '{ref}' could not be found")


def fetch_depth(text: str) -> int:
    """input-helper: a number (fractions floored), anything negative or unreadable → 0."""
    try:
        depth = int(float(text or "1"))
    except ValueError:
        return 0
    return max(depth, 0)


def target_directory(workspace: Path, path: str) -> Path:
    target = Path(os.path.normpath(workspace / path))
    if target != workspace and workspace not in target.parents:
        raise ActionFailed(f"Repository path '{target}' is not under '{workspace}'")
    return target


# -- effects


def run(job: Job) -> None:
    _refuse_unemulated(job)
    origin = Path(job.setting(REPOSITORY_ENV, needed_for="checkout")).resolve()
    url = origin.as_uri()
    directory = target_directory(job.workspace, job.input("path"))
    event = job.environ.get("GITHUB_REF", ""), job.environ.get("GITHUB_SHA", "")
    src = source(job.input("ref"), *event)
    job.output("ref", src.ref)
    info(f"Syncing repository: {job.input('repository')} from {origin}")
    _prepare(directory, url, job.truthy("clean", "true"))
    if not src.ref and not src.commit:
        src = Source(_default_branch(directory), "")
    _fetch(directory, src, fetch_depth(job.input("fetch-depth")), job.truthy("fetch-tags", "false"))
    _checkout(directory, src)
    commit = _git(directory, "log", "-1", "--format=%H").strip()
    job.output("commit", commit)
    info(f"Checked out {src.ref or commit} at {commit} into {directory}")


def _refuse_unemulated(job: Job) -> None:
    wanted, own = job.input("repository"), job.environ.get("GITHUB_REPOSITORY", "")
    if wanted and wanted.lower() != own.lower():
        raise StandInRefused(
            f"checkout of another repository ({wanted}) is not emulated: "
            f"the local checkout serves the workflow's own ({own}) only",
        )
    for name in _NOT_EMULATED:
        if job.input(name):
            raise StandInRefused(f"checkout's `{name}` is not emulated by the local checkout")
    if job.input("submodules").upper() in ("TRUE", "RECURSIVE"):
        raise StandInRefused("checkout's `submodules` is not emulated by the local checkout")
    if job.truthy("lfs", "false"):
        raise StandInRefused("checkout's `lfs` is not emulated by the local checkout")


def _prepare(directory: Path, url: str, clean: bool) -> None:
    """Reuse a checkout of the same origin (cleaned when asked), else start from nothing."""
    if directory.is_file() or directory.is_symlink():
        directory.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    if _reusable(directory, url, clean):
        return
    if any(directory.iterdir()):
        info(f"Deleting the contents of '{directory}'")
        for child in directory.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    _git(directory, "init", "-q")
    _git(directory, "remote", "add", "origin", url)
    _git(directory, "config", "--local", "gc.auto", "0")


def _reusable(directory: Path, url: str, clean: bool) -> bool:
    if not (directory / ".git").is_dir():
        return False
    if _git(directory, "config", "--get", "remote.origin.url", check=False).strip() != url:
        return False
    _git(directory, "checkout", "--detach", check=False)
    # Local branches go (the real action's "Removing previously created refs").
    for branch in _git(
        directory, "for-each-ref", "--format=%(refname:short)", "refs/heads"
    ).split():
        _git(directory, "branch", "--delete", "--force", branch)
    if not clean:
        return True
    return _ok(directory, "clean", "-ffdx") and _ok(directory, "reset", "--hard", "HEAD")


def _default_branch(directory: Path) -> str:
    listing = _git(directory, "ls-remote", "--quiet", "--exit-code", "--symref", "origin", "HEAD")
    for line in listing.splitlines():
        if line.startswith("ref:"):
            return line.split()[1]
    raise ActionFailed("the local repository has no default branch (HEAD names none)")


def _fetch(directory: Path, src: Source, depth: int, tags: bool) -> None:
    shallow = (directory / ".git" / "shallow").exists()
    if depth > 0:
        _git(directory, *fetch_argv(refspecs(src), depth, tags, shallow)[1:])
        return
    _git(directory, *fetch_argv(all_history(src), 0, tags, shallow)[1:])
    if not _holds(directory, src):  # the ref moved since the event: fetch what it named
        _git(directory, *fetch_argv(refspecs(src), 0, tags, False)[1:])


def _holds(directory: Path, src: Source) -> bool:
    """ref-helper testRef: the fetched refs still name the event's commit."""
    if not src.commit:
        return True
    if not src.ref:
        return _ok(directory, "rev-parse", "--verify", "--quiet", f"{src.commit}^{{object}}")
    upper = src.ref.upper()
    if upper.startswith("REFS/HEADS/"):
        local = f"refs/remotes/origin/{src.ref[len('refs/heads/') :]}"
    elif upper.startswith("REFS/TAGS/"):
        local = src.ref
    else:
        return True
    named = _git(directory, "rev-parse", "--verify", "--quiet", f"{local}^{{commit}}", check=False)
    return named.strip() == src.commit


def _checkout(directory: Path, src: Source) -> None:
    branch = tag = False
    if src.ref and not src.ref.upper().startswith("REFS/"):
        branch = _ok(
            directory, "rev-parse", "--verify", "--quiet", f"refs/remotes/origin/{src.ref}"
        )
        tag = _ok(directory, "rev-parse", "--verify", "--quiet", f"refs/tags/{src.ref}")
    ref, start = checkout_target(src, branch, tag)
    if start:
        _git(directory, "checkout", "--force", "-B", ref, start)
    else:
        _git(directory, "checkout", "--force", ref)


def _git(directory: Path, *args: str, check: bool = True) -> str:
    argv = ["git", "-C", str(directory), *args]
    info(f"[command]{' '.join(argv)}")
    return runner.run(argv, check=check).stdout


def _ok(directory: Path, *args: str) -> bool:
    argv = ["git", "-C", str(directory), *args]
    return runner.run(argv, check=False).returncode == 0
