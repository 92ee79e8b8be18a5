"""The events a workflow rehearsal sends, tagging its scratch repository as a maintainer
would: each tag only once the events before it have run (a final's tag does not exist while
its rc runs).

With no event named: the rc tag's push at HEAD, then the final's. Named events (`--event
KIND` or `KIND:TAG`) are sent in order: KIND alone for --tag or the tag at HEAD; KIND:TAG for
that tag, made (a static version written and committed first, as `bump` would) when the
scratch repository lacks it, else sent for the commit it names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from release.config.project import Config, load_config
from release.core import git
from release.core.errors import UsageError
from release.pipeline.entry import release_version
from release.rehearsals.workflow import scratch
from release.rehearsals.workflow.events import Event, Kind
from release.versioning.bump import set_copy
from release.versioning.versions import Kind as VersionKind
from release.versioning.versions import ReleaseVersion, parse_tag, parse_version


def events(
    config: Config, project: Path, repo: Path, named: Sequence[str], tag: str | None,
    inputs: Mapping[str, str],
) -> Iterator[Event]:  # fmt: skip
    if not named:
        base = release_version(config, head_tag(project), project).base
        yield tagged(config, repo, parse_version(f"{base}rc1"))
        yield tagged(config, repo, parse_version(str(base)))
        return
    default: tuple[str, str] | None = None
    for spec in named:
        kind, _, given = spec.partition(":")
        if given:
            yield _event(kind, given, _made(config, repo, given), inputs)
            continue
        if default is None:  # made once, for every event naming no tag
            name = default_tag(project, tag, named)
            default = (name, scratch.tag(repo, name))
        yield _event(kind, *default, inputs)


def tagged(config: Config, repo: Path, version: ReleaseVersion) -> Event:
    """The push of `version`'s tag, made at the commit holding that version."""
    return Event(Kind.PUSH, version.tag, _tag(config, repo, version))


def _tag(config: Config, repo: Path, version: ReleaseVersion) -> str:
    if config.version is not None:  # written (pyproject.toml or the backend's version file, as
        # this commit of the scratch repository holds it) and committed first
        set_copy(repo, config.name, str(version), load_config(repo).held)
        scratch.commit(repo, f"release {version}")
    return scratch.tag(repo, version.tag)


def _made(config: Config, repo: Path, tag: str) -> str:
    """The commit `tag` names in the scratch repository, tagging it first when it is new."""
    if tag in git.tags(repo):
        return scratch.commit_of(repo, tag)
    return _tag(config, repo, parse_tag(tag))


def _event(kind: str, tag: str, sha: str, inputs: Mapping[str, str]) -> Event:
    event = Kind(kind)
    if event is Kind.RELEASE and parse_tag(tag).kind is VersionKind.RC:
        event = Kind.PRERELEASE  # GitHub's release of an rc is marked pre-release
    return Event(event, tag, sha, dict(inputs))


def head_tag(project: Path) -> str | None:
    tags = git.tags_at_head(project)
    return tags[0] if tags else None


def default_tag(project: Path, tag: str | None, named: Sequence[str]) -> str:
    """The tag the events naming none send: --tag (made in the scratch repository only), else
    the project's tag at HEAD; a UsageError when there is neither."""
    found = tag or head_tag(project)
    if found is None:
        raise UsageError(
            f"--event {next(s for s in named if ':' not in s)} sends the tag at HEAD, and HEAD "
            "has none",
            hint="tag it (git tag vX.Y.Zrc1), name one with --tag or --event KIND:TAG, or "
            "leave --event out to push an rc and then a final",
        )
    return found
