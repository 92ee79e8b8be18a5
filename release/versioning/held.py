"""A version held in a file of the project, where its build backend reads it (pure).

Each backend has its own rule: hatchling and pdm-backend search the file with a regular
expression; flit_core and setuptools' `attr:` read a top-level assignment without running the
module, and import it only when that fails. What those rules read as written, `bump` can write
(the span of the version, replaced, as hatch's own `version` command does). What they would
have to compute at import (a tuple joined, a call) is named with its file and line instead.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from release.core.errors import ComputedVersion, ConfigError
from release.versioning.versions import shorten

# hatchling's default (hatchling.version.core.DEFAULT_PATTERN) and pdm-backend's, as they are
HATCH_PATTERN = r'(?i)^(__version__|VERSION) *= *([\'"])v?(?P<version>.+?)\2'
PDM_PATTERN = r"^(?:__version__|VERSION)\s*=\s*[\"'](.+?)[\"']\s*(?:#.*)?$"
_ASSIGNED = re.compile(r"^\s*(__version__|VERSION)\b\s*(:[^=]*)?=", re.MULTILINE)


@dataclass(frozen=True)
class HeldVersion:
    """Where the backend reads the version: `file` (relative to the project root, as its
    configuration names it), the line, and the version's characters in the file's text."""

    file: str
    backend: str  # whose rule this is, for messages: "hatch's [tool.hatch.version] path"
    line: int = 0  # 1-based; 0: no line to name
    value: str | None = None  # as written; None: not a plain string (see `problem`)
    span: tuple[int, int] = (0, 0)
    problem: str = ""  # why it is not plain, as a clause: "which computes it (...)"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def by_pattern(file: str, text: str, backend: str, pattern: str, group: str | int) -> HeldVersion:
    """hatchling's and pdm-backend's rule: the first match of `pattern` (multi-line)."""
    try:
        match = re.search(pattern, text, flags=re.MULTILINE)
    except re.error as exc:
        raise ConfigError(
            f"{backend}: its pattern does not compile: {exc}", hint="fix it"
        ) from None
    if match is None:
        return _unreadable(file, text, backend)
    try:
        start, end = match.span(group)
    except IndexError:
        raise ConfigError(
            f"{backend}: the pattern has no group {group!r} for the version",
            hint="fix the pattern (the backend will refuse it too)",
        ) from None
    return _found(file, text, backend, (start, end))


def by_assignment(file: str, text: str, backend: str, name: str, *, first: bool) -> HeldVersion:
    """flit's and setuptools' rule: a top-level `name = "..."` read without running the module.
    With `first`, the first assignment to `name` is the one (setuptools, which imports the
    module when that one is not a literal); else the first that is a plain string (flit)."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise ConfigError(
            f"{file} does not parse: {exc.msg} (line {exc.lineno})", hint="fix it"
        ) from None
    assigned = [node for node in tree.body if _assigns(node, name)]
    plain = [node for node in assigned if _plain_string(node)]
    chosen = assigned[:1] if first else plain[:1] or assigned[:1]
    if not chosen:
        return HeldVersion(file, backend, problem=f"which has no top-level `{name} = ...`")
    if not _plain_string(chosen[0]):
        return _computed(file, text, backend, chosen[0].lineno)
    return _literal(file, text, backend, chosen[0])


def whole_file(file: str, text: str, backend: str) -> HeldVersion:
    """setuptools' `file:` rule: the file holds the version alone (whitespace around it)."""
    stripped = text.strip()
    if not stripped or "\n" in stripped:
        return HeldVersion(file, backend, problem="which holds more than a version")
    start = text.index(stripped)
    return _found(file, text, backend, (start, start + len(stripped)))


def plain(held: HeldVersion) -> str:
    """The version as written; ComputedVersion, naming the file and line, when it is not."""
    if held.value is not None:
        return held.value
    raise ComputedVersion(
        f"{held.backend} reads the version from {held.where}, {held.problem}",
        hint='write a plain string there (`__version__ = "X.Y.Z"`), the one form bump and '
        "check read and write; until then, edit it by hand for each release",
    )


def written(text: str, held: HeldVersion, version: str) -> str:
    """`text` with the version `held` found replaced by `version`, nothing else changed."""
    start, end = held.span
    if held.value is None or text[start:end] != held.value:
        raise ConfigError(
            f"{held.file} changed while its version was being written", hint="run bump again"
        )
    return f"{text[:start]}{version}{text[end:]}"


def _found(file: str, text: str, backend: str, span: tuple[int, int]) -> HeldVersion:
    """The version at `span`, if it is one (hatch's pattern matches `"."` in `".".join(...)`)."""
    value, line = text[span[0] : span[1]], text.count("\n", 0, span[0]) + 1
    try:
        Version(value)
    except InvalidVersion:
        return _computed(file, text, backend, line)
    return HeldVersion(file, backend, line, value, span)


def _unreadable(file: str, text: str, backend: str) -> HeldVersion:
    """No match: the line assigning __version__ or VERSION some other way, if there is one."""
    assigned = _ASSIGNED.search(text)
    if assigned is None:
        problem = 'which has no `__version__ = "X.Y.Z"` line'
        return HeldVersion(file, backend, problem=problem)
    return _computed(file, text, backend, text.count("\n", 0, assigned.start(1)) + 1)


def _computed(file: str, text: str, backend: str, line: int) -> HeldVersion:
    statement = shorten(text.splitlines()[line - 1].strip())
    return HeldVersion(file, backend, line, problem=f"which computes it (`{statement}`)")


def _literal(file: str, text: str, backend: str, node: ast.stmt) -> HeldVersion:
    """The characters between the quotes of a one-line string literal; anything fancier (a
    prefix, triple quotes, pieces joined) counts as computed: rewriting it is the user's call."""
    value = node.value  # type: ignore[attr-defined]  # an Assign or AnnAssign: _assigns says so
    start = _offset(text, value.lineno, value.col_offset)
    end = _offset(text, value.end_lineno, value.end_col_offset)
    literal = text[start:end]
    if len(literal) < 2 or literal[0] not in "'\"" or literal[1:-1] != value.value:
        return _computed(file, text, backend, node.lineno)
    return _found(file, text, backend, (start + 1, end - 1))


def _offset(text: str, line: int, column: int) -> int:
    """The character offset of `ast`'s (line, UTF-8 byte column) in `text`."""
    lines = text.splitlines(keepends=True)
    before = sum(len(chunk) for chunk in lines[: line - 1])
    return before + len(lines[line - 1].encode()[:column].decode())


def _assigns(node: ast.stmt, name: str) -> bool:
    if isinstance(node, ast.AnnAssign):
        return node.value is not None and _is_name(node.target, name)
    return isinstance(node, ast.Assign) and any(_is_name(t, name) for t in node.targets)


def _is_name(target: ast.expr, name: str) -> bool:
    return isinstance(target, ast.Name) and target.id == name


def _plain_string(node: ast.stmt) -> bool:
    value = getattr(node, "value", None)
    return isinstance(value, ast.Constant) and isinstance(value.value, str)
