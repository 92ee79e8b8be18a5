"""GitHub Actions as an input (event, ref, dispatch inputs) and an output ($GITHUB_OUTPUT)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from release.core.errors import ConfigError, LaneError
from release.pipeline.plan import Event, Trigger
from release.pipeline.stages import Target
from release.versioning.versions import quote, shorten

# GitHub writes the payload; one that is not its shape was replaced or edited by hand
_PAYLOAD = "run from a GitHub Actions workflow, or point GITHUB_EVENT_PATH at its event payload"


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
    inputs = _object(payload, "inputs")
    release = _object(payload, "release")
    event = _event(flags.event or env.get("GITHUB_EVENT_NAME") or Event.LOCAL)
    ref = flags.ref or env.get("GITHUB_REF") or _tag_ref(release.get("tag_name"))
    return Trigger(
        event=event,
        ref=ref or None,
        publish_target=_target(flags.publish_target or _input(inputs, "publish_target")),
        source_ref=flags.source_ref or _input(inputs, "source_ref"),
        expected_version=flags.expected_version or _input(inputs, "expected_version"),
    )


def read_payload(env: Mapping[str, str]) -> Mapping[str, Any]:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except RecursionError:  # json recurses once per nested array or object
        raise ConfigError(f"the event payload {path} nests too deeply", hint=_PAYLOAD) from None
    # ValueError covers bad JSON, bad UTF-8 and an integer past Python's digit limit
    except (OSError, ValueError) as exc:
        message = f"cannot read the event payload {path}: {shorten(str(exc))}"
        raise ConfigError(message, hint=_PAYLOAD) from None
    if not isinstance(data, dict):
        raise ConfigError(f"the event payload {path} is not a JSON object", hint=_PAYLOAD)
    return data


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
            f"event {quote(name)} does not release anything", hint=f"run on one of: {accepted}"
        ) from None


def _target(name: str | None) -> Target | None:
    if not name:
        return None
    try:
        return Target(name)
    except ValueError:
        raise LaneError(
            f"publish_target {quote(name)} is not known",
            hint="use publish_target=testpypi or pypi",
        ) from None


def _object(payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """The payload's `key` object ({} when absent or null)."""
    value = payload.get(key)
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise ConfigError(
        f"the event payload's {key!r} is {_json_type(value)}, not an object", hint=_PAYLOAD
    )


def _input(inputs: Mapping[str, Any], key: str) -> str | None:
    """A dispatch input: a string, where empty means not given."""
    value = inputs.get(key)
    if value is None or isinstance(value, str):
        return value or None
    raise ConfigError(
        f"the dispatch input {key!r} is {_json_type(value)}, not a string",
        hint=f"declare {key} in the workflow as a string or choice input",
    )


def _json_type(value: object) -> str:
    names = ((bool, "a boolean"), (int, "a number"), (float, "a number"), (list, "an array"))
    return next((name for kind, name in names if isinstance(value, kind)), "a string")


def _tag_ref(tag: object) -> str | None:
    return f"refs/tags/{tag}" if isinstance(tag, str) and tag else None
