"""The events a workflow rehearsal sends, as payloads shaped like GitHub's (pure).

act reads the payload (`-e FILE`) for `github.event.*` and takes GITHUB_REF / GITHUB_SHA from
the repository; the fields here are the ones GitHub sends that a release workflow may read.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ZERO = "0" * 40  # a push that creates a ref has no "before"


class Kind(enum.StrEnum):
    PUSH = "push"  # the push of a tag
    RELEASE = "release"  # a GitHub release published for a tag
    PRERELEASE = "prerelease"  # the same, marked pre-release
    DISPATCH = "workflow_dispatch"  # run by hand, with inputs


@dataclass(frozen=True)
class Repository:
    owner: str
    name: str
    default_branch: str = "main"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def payload(self) -> dict[str, Any]:
        return {
            "full_name": self.full_name, "name": self.name, "private": False,
            "owner": {"login": self.owner, "name": self.owner},
            "default_branch": self.default_branch,
        }  # fmt: skip


@dataclass(frozen=True)
class Event:
    kind: Kind
    tag: str  # the tag it releases
    sha: str  # the commit the tag points at
    inputs: Mapping[str, str] = field(default_factory=dict)  # a dispatch's

    @property
    def act_name(self) -> str:
        """The event name act is given (a pre-release is a `release` event)."""
        return "release" if self.kind is Kind.PRERELEASE else str(self.kind)

    @property
    def label(self) -> str:
        what = {Kind.PUSH: "push of", Kind.RELEASE: "release of", Kind.DISPATCH: "dispatch of"}
        return f"{what.get(self.kind, 'pre-release of')} {self.tag}"


def payload(event: Event, repository: Repository, actor: str) -> dict[str, Any]:
    common = {"repository": repository.payload(), "sender": {"login": actor}}
    if event.kind is Kind.PUSH:
        return {**common, **_push(event, actor)}
    if event.kind is Kind.DISPATCH:
        ref = f"refs/heads/{repository.default_branch}"
        return {**common, "ref": ref, "inputs": dict(event.inputs)}
    return {**common, "action": "published", "release": _release(event, repository, actor)}


def _push(event: Event, actor: str) -> dict[str, Any]:
    return {
        "ref": f"refs/tags/{event.tag}", "before": ZERO, "after": event.sha,
        "created": True, "deleted": False, "forced": False, "base_ref": None,
        "head_commit": {"id": event.sha}, "pusher": {"name": actor},
    }  # fmt: skip


def _release(event: Event, repository: Repository, actor: str) -> dict[str, Any]:
    return {
        "tag_name": event.tag, "name": event.tag, "target_commitish": event.sha,
        "draft": False, "prerelease": event.kind is Kind.PRERELEASE,
        "author": {"login": actor}, "id": 1,
        "html_url": f"https://github.com/{repository.full_name}/releases/tag/{event.tag}",
    }  # fmt: skip
