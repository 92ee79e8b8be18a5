"""Whether a module's import failed because it refuses this platform, read from evidence: the
statement at the top level of a module where the exception was raised (from the traceback's
frames and the module's syntax tree), and the exception's type. Pure: the caller reads the file.

A refusal is one of:
- an `assert` on a platform fact (`assert sys.platform == "win32"`) that raised AssertionError;
- a `raise` inside an `if` on a platform fact (`if os.name != "nt": raise ImportError(...)`);
- an import of a standard-library module that exists on other platforms only (`import msvcrt`),
  or a `raise` while handling that import's failure.
A platform fact is `sys.platform`, `os.name`, `platform.system()` and their kin, through any
alias (`import sys as _sys`, `from sys import platform`) or a name the module bound from one
before (`WIN = sys.platform.startswith("win")`). Module names decide nothing: a guard that lies
inside a function, or a name imported from another module, is not taken as evidence.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

_POSIX_ONLY = (
    "posix", "pwd", "grp", "termios", "fcntl", "resource", "syslog", "_posixsubprocess",
    "_posixshmem", "spwd", "nis", "crypt", "_crypt", "ossaudiodev", "readline", "_curses",
)  # fmt: skip
_WINDOWS_ONLY = ("msvcrt", "winreg", "winsound", "_winapi", "_overlapped", "nt", "_msi", "msilib")
WINDOWS, POSIX, MACOS = "Windows", "POSIX systems", "macOS"
# Standard-library modules that exist on some platforms only, and where they do.
PLATFORM_ONLY = {
    **dict.fromkeys(_WINDOWS_ONLY, WINDOWS),
    **dict.fromkeys(_POSIX_ONLY, POSIX),
    "_scproxy": MACOS,
}
# Dotted names (and what follows them: `sys.platform.startswith`) that say which platform runs.
FACTS = (
    "sys.platform", "sys.getwindowsversion", "sys.implementation", "os.name", "os.uname",
    "platform.system", "platform.machine", "platform.platform", "platform.uname",
    "platform.win32_ver", "platform.mac_ver", "platform.python_implementation",
)  # fmt: skip
_MACHINERY = ("<frozen ", "<string>")  # the import system's frames, and the walk's own script


@dataclass(frozen=True)
class Frame:
    file: str
    line: int
    function: str


@dataclass(frozen=True)
class Raised:
    """One exception of the chain (the failure, then what it was raised from or during)."""

    type: str
    missing: str | None = None  # ImportError.name: the module that was not found
    present: bool = False  # the missing module's top-level package is installed all the same


def guarding_frame(frames: Sequence[Frame]) -> Frame | None:
    """The innermost frame outside the import system: where the module's own code raised."""
    ours = [f for f in frames if not f.file.startswith(_MACHINERY) and "/importlib/" not in f.file]
    return ours[-1] if ours else None


def refusal(frame: Frame, source: bytes, chain: Sequence[Raised], platform: str) -> str | None:
    """The platform guard that raised at `frame` of this module `source`, as a phrase; None when
    the evidence does not show one. `platform`: the interpreter's `sys.platform`."""
    if frame.function != "<module>":
        return None  # raised inside a function: not a guard of the module's own top level
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    path = list(_enclosing(tree.body, frame.line))
    if not path:
        return None
    facts = _Facts(tree.body, frame.line)
    innermost = path[-1]
    platform_module = _platform_module(chain, platform)
    if isinstance(innermost, ast.Assert) and chain[0].type == "AssertionError":
        return f"`assert {ast.unparse(innermost.test)}`" if facts.mention(innermost.test) else None
    if isinstance(innermost, ast.Raise):
        guard = next((s for s in path if isinstance(s, ast.If) and facts.mention(s.test)), None)
        if guard is not None:
            return f"`if {ast.unparse(guard.test)}: raise ...`"
    if platform_module and isinstance(innermost, ast.Import | ast.ImportFrom | ast.Raise):
        return f"`import {platform_module}`, which exists on {PLATFORM_ONLY[platform_module]} only"
    return None


def _platform_module(chain: Sequence[Raised], platform: str) -> str | None:
    """A standard module of other platforms than `platform` whose absence is in the chain (one
    that this platform has, readline say, is missing from a build, not refused)."""
    for raised in chain:
        top = (raised.missing or "").split(".")[0]
        where = PLATFORM_ONLY.get(top)
        if raised.type == "ModuleNotFoundError" and where and not _has(where, platform):
            return top
    return None


def _has(where: str, platform: str) -> bool:
    """Whether a `sys.platform` of `platform` is one of `where`."""
    return {WINDOWS: platform == "win32", MACOS: platform == "darwin"}.get(
        where, platform != "win32"
    )


def _enclosing(body: Sequence[ast.stmt], line: int) -> Iterator[ast.stmt]:
    """The statements holding `line`, outermost first, through blocks of module-level code
    (if, try, with, for...; a def or class body is not module-level code)."""
    while True:
        node = next((s for s in body if s.lineno <= line <= (s.end_lineno or s.lineno)), None)
        if node is None:
            return
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return
        body = _blocks(node)


def _blocks(node: ast.stmt) -> list[ast.stmt]:
    inner: list[ast.stmt] = []
    for field in ("body", "orelse", "finalbody"):
        value = getattr(node, field, [])
        inner += value if isinstance(value, list) else []
    for handler in getattr(node, "handlers", []):
        inner += handler.body
    return inner


class _Facts:
    """Which names of a module stand for a platform fact at a given line: aliases of sys, os and
    platform, names imported from them, and names bound from a fact earlier at the top level."""

    def __init__(self, body: Sequence[ast.stmt], line: int) -> None:
        self.aliases: dict[str, str] = {}
        self.derived: set[str] = set()
        for node in _module_level(body):
            if node.lineno >= line:
                break
            self._learn(node)

    def _learn(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.aliases[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif (
            isinstance(node, ast.Assign | ast.AnnAssign) and node.value and self.mention(node.value)
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            self.derived |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}

    def mention(self, expression: ast.expr) -> bool:
        return any(self._is_fact(node) for node in ast.walk(expression))

    def _is_fact(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name) and node.id in self.derived:
            return True
        dotted = _dotted(node)
        if dotted is None:
            return False
        head, _, rest = dotted.partition(".")
        resolved = ".".join(filter(None, [self.aliases.get(head, ""), rest]))
        return any(resolved == f or resolved.startswith(f + ".") for f in FACTS)


def _dotted(node: ast.AST) -> str | None:
    """`a.b.c` for an attribute chain on a name (or the name alone), else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _module_level(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of module-level code in source order, blocks included, defs not entered."""
    for node in body:
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield from _module_level(_blocks(node))
