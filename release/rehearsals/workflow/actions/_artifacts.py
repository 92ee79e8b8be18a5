"""upload-artifact (v4+) and download-artifact (v6) on this machine: a run's artifacts are
directories under $STAGED_RELEASE_ACT_ARTIFACTS, one per name, holding the uploaded files at
the paths the artifact's zip would hold them (relative to the search paths' least common
ancestor, as v4 computes it). Contents only: file modes are not kept, as v4's zip does not.
"""

from __future__ import annotations

import os
import shutil
import stat
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from release.core.errors import ActionFailed, StandInRefused
from release.rehearsals.workflow import actions
from release.rehearsals.workflow.actions import _globs
from release.rehearsals.workflow.actions._job import Job, info, warning

ARTIFACTS_ENV = actions.ARTIFACTS
STAGING = ".staging-"  # beside the artifacts: an upload in flight (or cut short), never one
_NO_FILES = ("warn", "error", "ignore")
_BAD_IN_PATH = ('"', ":", "<", ">", "|", "*", "?", "\r", "\n")
_BAD_IN_NAME = (*_BAD_IN_PATH, "\\", "/")


@dataclass(frozen=True)
class Found:
    files: tuple[PurePosixPath, ...]
    root: PurePosixPath  # the artifact's root: files are stored relative to it


# -- upload


def upload(job: Job) -> None:
    name, text = job.input("name") or "artifact", job.input("path")
    if not text:
        raise ActionFailed("Input required and not supplied: path")
    if_none = _if_no_files_found(job.input("if-no-files-found") or "warn")
    overwrite, hidden = job.flag("overwrite"), job.flag("include-hidden-files")
    _ignored_settings(job)
    store = Path(job.setting(ARTIFACTS_ENV, needed_for="upload-artifact"))
    found = find_files(text, PurePosixPath(job.workspace), PurePosixPath(job.home), hidden)
    if not found.files:
        _nothing_found(text, if_none)
        return
    check_name(name)
    placed = placement(found)
    plural = "s" * (len(placed) > 1)
    info(f"With the provided path, there will be {len(placed)} file{plural} uploaded")
    _store(store, name, placed, overwrite)
    info(f"Artifact {name} has been successfully uploaded: {', '.join(placed.values())}")


def _if_no_files_found(value: str) -> str:
    if value not in _NO_FILES:
        raise ActionFailed(
            f"Unrecognized if-no-files-found input. Provided: {value}. "
            f"Available options: {','.join(_NO_FILES)}"
        )
    return value


def _ignored_settings(job: Job) -> None:
    """retention-days and compression-level mean nothing here, but are checked as v4 does."""
    retention, level = job.input("retention-days"), job.input("compression-level")
    if retention and not retention.lstrip("-").isdigit():
        raise ActionFailed("Invalid retention-days")
    if level and not (level.isdigit() and 0 <= int(level) <= 9):
        raise ActionFailed("Invalid compression-level. Valid values are 0-9")


def _nothing_found(text: str, if_none: str) -> None:
    message = f"No files were found with the provided path: {text}. No artifacts will be uploaded."
    if if_none == "error":
        raise ActionFailed(message, hint="check what the job's earlier steps left in that path")
    (warning if if_none == "warn" else info)(message)


def find_files(text: str, cwd: PurePosixPath, home: PurePosixPath, include_hidden: bool) -> Found:
    """The files a `path` input names, and the root they are stored relative to."""
    patterns = _globs.parse(text, cwd, home)
    starts = _globs.search_paths(patterns)
    files: dict[PurePosixPath, None] = {}
    for start in starts:
        files.update(dict.fromkeys(_walk(Path(start), patterns, include_hidden, ())))
    ordered = tuple(sorted(files))
    return Found(ordered, artifact_root(starts, ordered, cwd))


def artifact_root(
    starts: Sequence[PurePosixPath], files: Sequence[PurePosixPath], cwd: PurePosixPath
) -> PurePosixPath:
    """v4's rule: several search paths → their least common ancestor; one file named literally
    → its directory (the file lands at the artifact's top); else the one search path."""
    if len(starts) > 1:
        return _globs.least_common_ancestor(starts)
    if len(files) == 1 and starts and starts[0] == files[0]:
        return files[0].parent
    return starts[0] if starts else cwd


def _walk(
    path: Path, patterns: Sequence[_globs.Pattern], hidden: bool, chain: tuple[str, ...]
) -> Iterator[PurePosixPath]:
    """@actions/glob's traversal: symlinks followed (cycles and broken links skipped), and
    without include-hidden-files no name starting with "." — file or directory — is entered."""
    if not hidden and path.name.startswith("."):
        return
    try:
        mode = path.stat().st_mode
    except OSError:  # gone, or a broken symlink: omitted, as upload-artifact does
        return
    if stat.S_ISDIR(mode):
        real = os.path.realpath(path)
        if real in chain:
            return
        for child in sorted(path.iterdir()):
            yield from _walk(child, patterns, hidden, (*chain, real))
    elif _globs.included(patterns, PurePosixPath(path)):
        yield PurePosixPath(path)


def check_name(name: str) -> None:
    bad = [c for c in _BAD_IN_NAME if c in name]
    if bad:
        raise ActionFailed(
            f"The artifact name is not valid: {name}. Contains the following character: {bad[0]!r}"
        )
    if name.startswith(STAGING):
        raise StandInRefused(f"artifact names starting {STAGING} are where local uploads stage")


def placement(found: Found) -> dict[PurePosixPath, str]:
    """Each file and the path it has inside the artifact."""
    placed = {}
    for file in found.files:
        inside = file.relative_to(found.root).as_posix()
        bad = [c for c in _BAD_IN_PATH if c in inside]
        if bad:
            raise ActionFailed(
                f"The path for one of the files in artifact is not valid: {inside}. "
                f"Contains the following character: {bad[0]!r}"
            )
        placed[file] = inside
    return placed


def _store(store: Path, name: str, placed: dict[PurePosixPath, str], overwrite: bool) -> None:
    """Stage the files, then claim the name with one rename: two uploads of one name (matrix
    cells, say) cannot both succeed, as on GitHub, where an artifact is immutable."""
    target = store / name
    if target.exists() and not overwrite:
        raise _taken(name)
    staging = store / f"{STAGING}{uuid.uuid4().hex}"
    for source, inside in placed.items():
        (staging / inside).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, staging / inside)
    if overwrite and target.exists():
        shutil.rmtree(target)
    try:
        staging.rename(target)  # fails on a non-empty target: an artifact is never empty
    except OSError:
        shutil.rmtree(staging)
        raise _taken(name) from None


def _taken(name: str) -> ActionFailed:
    return ActionFailed(
        "Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: "
        f"an artifact with this name already exists on the workflow run ({name})",
        hint="give each upload its own name (a matrix cell: add its value), or `overwrite: true`",
    )


# -- download


def download(job: Job) -> None:
    _refuse_other_runs(job)
    name, pattern, merge = job.input("name"), job.input("pattern"), job.flag("merge-multiple")
    destination = _destination(job)
    store = Path(job.setting(ARTIFACTS_ENV, needed_for="download-artifact"))
    chosen = choose(stored(store), name, pattern)
    for artifact in chosen:
        into = destination if name or merge or len(chosen) == 1 else destination / artifact
        copied = _copy_tree(store / artifact, into)
        info(f"- {artifact}: {copied} file{'s' * (copied != 1)} into {into}")
    info(f"Total of {len(chosen)} artifact(s) downloaded")
    job.output("download-path", str(destination))


def _refuse_other_runs(job: Job) -> None:
    if job.input("github-token"):
        raise StandInRefused(
            "download-artifact with github-token (another run's or repository's artifacts) "
            "is not emulated: the local artifacts are this run's only",
            hint="drop github-token, run-id and repository from the step",
        )
    if job.input("artifact-ids"):
        raise StandInRefused(
            "download-artifact by artifact-ids is not emulated: local artifacts have no ids",
            hint="download by `name` or `pattern`",
        )


def _destination(job: Job) -> Path:
    """`path` (default: the workspace), `~` expanded, relative to the workspace."""
    written = job.input("path") or str(job.workspace)
    if written.startswith("~"):
        written = str(job.home) + written[1:]
    return Path(os.path.normpath(job.workspace / written))


def stored(store: Path) -> list[str]:
    """The run's artifacts, by name (none yet: the directory may not exist)."""
    if not store.is_dir():
        return []
    return sorted(p.name for p in store.iterdir() if p.is_dir() and not p.name.startswith(STAGING))


def choose(available: Sequence[str], name: str, pattern: str) -> list[str]:
    """v6's choice: the one named (else fail), those the pattern matches, or all."""
    if name:
        if name not in available:
            raise ActionFailed(
                f"Unable to download artifact(s): Artifact not found for name: {name}",
                hint=f"this run's artifacts: {', '.join(available) or 'none'}; the job that "
                "uploads it must be in this job's `needs` and have run",
            )
        return [name]
    if pattern:
        matcher = _globs.name_matcher(pattern)
        return [a for a in available if matcher.match(a)]
    return list(available)


def _copy_tree(source: Path, into: Path) -> int:
    count = 0
    for folder, _, names in os.walk(source):
        for file in sorted(names):
            inside = Path(folder, file).relative_to(source)
            (into / inside).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(folder, file), into / inside)
            count += 1
    return count
