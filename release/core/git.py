"""What git knows about a project's tags, and the tag it creates (through the one runner)."""

from __future__ import annotations

from pathlib import Path

from release.core import runner

# Failures that truly mean "no tags here": outside any repository, or before the first commit.
_NO_TAGS_HERE = ("not a git repository", "malformed object name 'HEAD'")


def tags(root: Path) -> tuple[str, ...]:
    """All tags of the repository that holds `root`; none when it is not a git repository."""
    return _tag_list(root, "tag", "--list")


def tag_commits(root: Path) -> dict[str, str]:
    """Each tag of the repository that holds `root` and the commit it points at (an annotated
    tag peeled to its commit); none when it is not a git repository."""
    lines = _tag_list(
        root, "for-each-ref", "--format=%(refname:strip=2) %(objectname) %(*objectname)",
        "refs/tags",
    )  # fmt: skip
    found = {}
    for line in lines:
        name, *objects = line.split()
        found[name] = objects[-1]  # the peeled commit, when the tag is annotated
    return found


def tags_at_head(root: Path) -> tuple[str, ...]:
    return _tag_list(root, "tag", "--points-at", "HEAD")


def create_tag(root: Path, tag: str) -> None:
    """A lightweight tag at HEAD: what setuptools-scm, hatch-vcs and pdm-backend read."""
    runner.run(["git", "-C", str(root), "tag", "--", tag])


def head_revision(root: Path) -> str:
    """The commit HEAD names ("" outside a repository or before the first commit)."""
    done = runner.run(["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"], check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


def listed_files(root: Path) -> list[str] | None:
    """Files git would commit (tracked, or untracked and not ignored); None outside git."""
    done = runner.run(
        ["git", "-C", str(root), "ls-files", "-co", "--exclude-standard", "-z"], check=False
    )
    if done.returncode != 0 and _NO_TAGS_HERE[0] in done.stderr:
        return None
    if done.returncode != 0:
        raise runner.failure(done)
    return [name for name in done.stdout.split("\0") if name]


def _tag_list(root: Path, *args: str) -> tuple[str, ...]:
    done = runner.run(["git", "-C", str(root), *args], check=False)
    if done.returncode != 0 and any(marker in done.stderr for marker in _NO_TAGS_HERE):
        return ()
    if done.returncode != 0:
        # Any other failure (e.g. an unsafe directory) must not read as "no tags": that
        # would let a consumed version be handed out again.
        raise runner.failure(done)
    return tuple(line.strip() for line in done.stdout.splitlines() if line.strip())
