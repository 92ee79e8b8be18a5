"""GitHub Actions as an input (event, ref, dispatch inputs) and an output ($GITHUB_OUTPUT)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from release.errors import ConfigError, LaneError
from release.lanes import Event, Target, Trigger


@dataclass(frozen=True)
class TriggerFlags:
    """Command-line overrides; None means "take it from the environment"."""

    event: str | None = None
    ref: str | None = None
    publish_target: str | None = None
    source_ref: str | None = None
    expected_version: str | None = None


def read_trigger(env: Mapping[str, str], flags: TriggerFlags) -> Trigger:
    return trigger_from(env, read_payload(env), flags)


def trigger_from(
    env: Mapping[str, str], payload: Mapping[str, Any], flags: TriggerFlags
) -> Trigger:
    """Combine the Actions environment, its event payload and the flags (flags win)."""
    inputs = payload.get("inputs") or {}
    release = payload.get("release") or {}
    event = _event(flags.event or env.get("GITHUB_EVENT_NAME") or Event.LOCAL)
    ref = flags.ref or env.get("GITHUB_REF") or _tag_ref(release.get("tag_name"))
    return Trigger(
        event=event,
        ref=ref or None,
        publish_target=_target(flags.publish_target or inputs.get("publish_target")),
        source_ref=flags.source_ref or inputs.get("source_ref") or None,
        expected_version=flags.expected_version or inputs.get("expected_version") or None,
    )


def read_payload(env: Mapping[str, str]) -> Mapping[str, Any]:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the event payload {path}: {exc}") from None
    return data if isinstance(data, dict) else {}


def write_outputs(path: Path, fields: Mapping[str, Any]) -> None:
    """Append fields as step outputs; lists and booleans as JSON for fromJSON() in workflows."""
    lines = [f"{k}={v if isinstance(v, str) else json.dumps(v)}\n" for k, v in fields.items()]
    with path.open("a", encoding="utf-8") as out:
        out.writelines(lines)


def _event(name: str) -> Event:
    try:
        return Event(name)
    except ValueError:
        accepted = ", ".join(e.value for e in Event)
        raise LaneError(
            f"event {name!r} does not release anything", hint=f"run on one of: {accepted}"
        ) from None


def _target(name: str | None) -> Target | None:
    if not name:
        return None
    try:
        return Target(name)
    except ValueError:
        raise LaneError(
            f"publish_target {name!r} is not known", hint="use publish_target=testpypi or pypi"
        ) from None


def _tag_ref(tag: object) -> str | None:
    return f"refs/tags/{tag}" if isinstance(tag, str) and tag else None
