"""Glob patterns as @actions/glob reads them (what upload-artifact's `path` means), and the
minimatch patterns download-artifact filters artifact names with. Pure: no file system here.

An upload pattern is one line: `!` in front excludes, `#` starts a comment, a relative path is
taken from the working directory, `~` is the home directory, `.` and `..` segments are refused.
Segments match with `*`, `?` and `[...]` (hidden names included: minimatch's `dot`), `**` spans
any number of directories, a trailing `/` matches directories only, and a pattern also matches
everything below what it names (`implicitDescendants`). The last pattern that matches a file
decides whether it is in or out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath

from release.core.errors import ActionFailed

GLOBSTAR = "**"
_GLOB_CHARS = re.compile(r"(?<!\\)[*?\[]")


@dataclass(frozen=True)
class Pattern:
    negate: bool
    segments: tuple[str, ...]  # below the root "/"; "**" spans directories
    directories_only: bool  # written with a trailing "/"

    @property
    def search_path(self) -> PurePosixPath:
        """The literal directories before the first glob segment: where the search starts."""
        literal: list[str] = []
        for segment in self.segments:
            if _GLOB_CHARS.search(segment):
                break
            literal.append(_unescape(segment))
        return PurePosixPath("/", *literal)

    def matches_file(self, path: PurePosixPath) -> bool:
        """Does it name this file, itself or as a descendant of what it names?"""
        if self.directories_only:  # only its implicit descendants can name a file
            return _match((*self.segments, GLOBSTAR), path.parts[1:])
        if self.segments[-1] == GLOBSTAR:
            return _match(self.segments, path.parts[1:])
        return _match(self.segments, path.parts[1:]) or _match(
            (*self.segments, GLOBSTAR), path.parts[1:]
        )


def parse(text: str, cwd: PurePosixPath, home: PurePosixPath) -> list[Pattern]:
    """The patterns of a multi-line `path` input (comments and blank lines skipped)."""
    patterns = []
    for written in text.splitlines():
        line = written.strip()
        if line and not line.startswith("#"):
            patterns.append(_pattern(line, cwd, home))
    return patterns


def _pattern(line: str, cwd: PurePosixPath, home: PurePosixPath) -> Pattern:
    negate = False
    while line.startswith("!"):
        negate, line = not negate, line[1:].strip()
    trailing = line.endswith("/")
    written = [s for s in line.split("/") if s]
    if any(s == ".." or (s == "." and i > 0) for i, s in enumerate(written)):
        raise ActionFailed(
            f"Invalid pattern '{line}'. Relative pathing '.' and '..' is not allowed."
        )
    if line == "~" or line.startswith("~/"):
        base, written = home, written[1:]
    elif line.startswith("/"):
        base = PurePosixPath("/")
    else:
        base, written = cwd, [s for s in written if s != "."]
    segments = (*(_escape(s) for s in base.parts[1:]), *written)
    return Pattern(negate, segments or ("",), trailing)


def search_paths(patterns: Sequence[Pattern]) -> list[PurePosixPath]:
    """@actions/glob's getSearchPaths: each include's search path, unless another include's
    search path is one of its ancestors (or itself), in the patterns' order."""
    candidates = [p.search_path for p in patterns if not p.negate]
    found: list[PurePosixPath] = []
    for path in candidates:
        if path in found:
            continue
        if not any(other in path.parents for other in candidates):
            found.append(path)
    return found


def included(patterns: Sequence[Pattern], path: PurePosixPath) -> bool:
    """The last pattern naming the file decides (an exclusion can be re-included later)."""
    verdict = False
    for pattern in patterns:
        if pattern.matches_file(path):
            verdict = not pattern.negate
    return verdict


def least_common_ancestor(paths: Iterable[PurePosixPath]) -> PurePosixPath:
    """upload-artifact's getMultiPathLCA: the longest leading run of segments all share."""
    split = [p.parts for p in paths]
    common: list[str] = []
    for column in zip(*split, strict=False):
        if len(set(column)) != 1:
            break
        common.append(column[0])
    return PurePosixPath(*common) if common else PurePosixPath("/")


def name_matcher(pattern: str) -> re.Pattern[str]:
    """download-artifact's `pattern`: minimatch with its defaults (braces expand, `*` and `?`
    do not match a leading dot unless the pattern starts with one)."""
    body = _translate(pattern, braces=True)
    if not pattern.startswith("."):
        body = r"(?!\.)" + body
    return re.compile(body + r"\Z")


# -- matching segments


def _match(pattern: Sequence[str], parts: Sequence[str]) -> bool:
    return _match_from(tuple(pattern), tuple(parts))


@lru_cache(maxsize=4096)
def _match_from(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == GLOBSTAR:  # zero or more whole segments
        return any(_match_from(rest, parts[i:]) for i in range(len(parts) + 1))
    if not parts:
        return False
    return _segment(head).fullmatch(parts[0]) is not None and _match_from(rest, parts[1:])


@lru_cache(maxsize=1024)
def _segment(segment: str) -> re.Pattern[str]:
    return re.compile(_translate(segment, braces=False))


def _translate(glob: str, *, braces: bool) -> str:
    """One path segment's glob as a regular expression (no "/" inside)."""
    out, i = [], 0
    while i < len(glob):
        char = glob[i]
        if char == "\\" and i + 1 < len(glob):
            out.append(re.escape(glob[i + 1]))
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (end := _class_end(glob, i)) > 0:
            out.append(_char_class(glob[i + 1 : end]))
            i = end
        elif char == "{" and braces and (end := _brace_end(glob, i)) > 0:
            options = _split_top(glob[i + 1 : end])
            out.append("(?:" + "|".join(_translate(o, braces=True) for o in options) + ")")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _class_end(glob: str, start: int) -> int:
    """Index of the `]` closing the class opened at `start` (-1: a literal `[`)."""
    i = start + 1
    if i < len(glob) and glob[i] in "!^":
        i += 1
    if i < len(glob) and glob[i] == "]":  # a leading "]" is a member
        i += 1
    return glob.find("]", i)


def _char_class(members: str) -> str:
    negated = members[:1] in ("!", "^")
    body = members[1:] if negated else members
    escaped = body.replace("\\", "\\\\").replace("[", r"\[")
    if escaped.startswith("]"):
        escaped = "\\" + escaped
    return ("[^/" if negated else "[") + escaped + "]"


def _brace_end(glob: str, start: int) -> int:
    depth = 0
    for i in range(start, len(glob)):
        depth += {"{": 1, "}": -1}.get(glob[i], 0)
        if depth == 0:
            return i if "," in glob[start:i] else -1
    return -1


def _split_top(body: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in body:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _escape(literal: str) -> str:
    """A literal directory name (the working directory's) made safe as a pattern segment."""
    return re.sub(r"([*?\[\\])", r"\\\1", literal)


def _unescape(segment: str) -> str:
    return re.sub(r"\\(.)", r"\1", segment)
