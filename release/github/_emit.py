"""Workflow data to YAML text, the same bytes every time: keys in the order they were built,
multi-line strings as literal blocks, no line folding, and each pinned action's version as a
comment after its SHA (PyYAML writes no comments, so they are added to the text after)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class Pin:
    uses: str  # owner/name
    sha: str  # the full commit SHA its release tag points at
    version: str  # that tag, written as a comment

    @property
    def ref(self) -> str:
        return f"{self.uses}@{self.sha}"


@cache
def pins() -> dict[str, Pin]:
    """The pinned actions of actions.toml, by short name ("checkout")."""
    return {name: Pin(**fields) for name, fields in _data()["actions"].items()}


@cache
def tools() -> dict[str, str]:
    """The tools the jobs install, with their pinned versions."""
    found: dict[str, str] = _data()["tools"]
    return found


def _data() -> dict[str, Any]:
    text = resources.files("release.github").joinpath("actions.toml").read_text("utf-8")
    return tomllib.loads(text)


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:  # noqa: ARG002
        super().increase_indent(flow, False)  # a list indented under its key, as people write

    def ignore_aliases(self, data: Any) -> bool:  # noqa: ARG002 - the base class's signature
        return True  # a step shared by two jobs is written out twice, never as &anchor/*alias


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def dump(header: str, workflow: dict[str, Any], notes: Mapping[str, str]) -> str:
    """The workflow as YAML after a comment header; `on` written bare, as GitHub's docs do;
    `notes` says why a line is there (by its text, e.g. "id-token: write"), as a comment."""
    body = yaml.dump(workflow, Dumper=_Dumper, sort_keys=False, width=10_000)
    body = body.replace("\n'on':\n", "\non:\n", 1)
    versions = {pin.ref: pin.version for pin in pins().values()}
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    return "".join(f"{_noted(line, notes, versions)}\n" for line in [*lines, *body.splitlines()])


def _noted(line: str, notes: Mapping[str, str], versions: Mapping[str, str]) -> str:
    text = line.strip().removeprefix("- ")
    uses = text.removeprefix("uses: ")
    note = versions.get(uses) if uses != text else notes.get(text)
    return f"{line}  # {note}" if note else line
