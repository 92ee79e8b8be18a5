"""The built-in `import` check: import every top-level module and walk every submodule, then
judge each one that did not import, from evidence.

WALK runs inside the cell's interpreter, which may be the oldest Python a project declares (3.9):
standard library only, no syntax newer than 3.9. It imports, counts, and records facts (the
exception chain, the traceback's frames, the package's Requires-Dist and the interpreter's
environment markers); the judging happens here, in `judge`:
- a top-level module must import, whatever stops it;
- a submodule that refuses this platform (release.validation._guards) is skipped, with the guard;
- a submodule that needs a module nobody installed and the package does not require here (an
  optional dependency: structlog's _greenlets needs greenlet) is listed, not failed;
- everything else fails: a NameError, a SyntaxError, a declared dependency missing, a module of
  the package itself missing.
A module the project lists in `import-skip` (and every module below it) is not imported at all.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from release.validation._guards import Frame, Raised, guarding_frame, refusal

WALK = r"""
import importlib, importlib.metadata, importlib.util, json, os, pkgutil, platform, sys, traceback
out, asked = sys.argv[1], json.loads(sys.argv[2])
imported, failures, unwalked = [], [], []

def listed(name):
    return any(name == s or name.startswith(s + ".") for s in asked["skip"])

def installed(missing):
    try:
        return importlib.util.find_spec(missing.split(".")[0]) is not None
    except Exception:
        return False

def chain(exc):
    found = []
    while exc is not None and len(found) < 8:
        missing = getattr(exc, "name", None) if isinstance(exc, ImportError) else None
        found.append([type(exc).__name__, missing, bool(missing) and installed(missing)])
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return found

def attempt(name, top):
    if listed(name):
        unwalked.append(name)
        return None
    try:
        module = importlib.import_module(name)
    except (Exception, SystemExit) as exc:
        frames = [[f.filename, f.lineno, f.name] for f in traceback.extract_tb(exc.__traceback__)]
        shown = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        failures.append({"module": name, "top": top, "error": repr(exc)[:1000],
                         "chain": chain(exc), "frames": frames, "traceback": shown[-8000:]})
        print("not imported: " + name + ": " + repr(exc)[:300])
        return None
    imported.append(name)
    return module

def walk(name, package):
    for info in pkgutil.iter_modules(getattr(package, "__path__", None) or [], name + "."):
        if info.name.endswith(".__main__"):
            continue  # importing it would run the program
        module = attempt(info.name, False)
        if module is not None and info.ispkg:
            walk(info.name, module)

for top in asked["tops"]:
    module = attempt(top, True)
    if module is not None:
        walk(top, module)
try:
    requires = importlib.metadata.requires(asked["distribution"]) or []
except Exception:
    requires = []
v = sys.implementation.version
markers = {
    "implementation_name": sys.implementation.name,
    "implementation_version": "%d.%d.%d" % (v.major, v.minor, v.micro)
    + ("" if v.releaselevel == "final" else v.releaselevel[0] + str(v.serial)),
    "os_name": os.name, "platform_machine": platform.machine(),
    "platform_release": platform.release(), "platform_system": platform.system(),
    "platform_version": platform.version(), "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]), "sys_platform": sys.platform,
}
with open(out, "w", encoding="utf-8") as file:
    json.dump({"imported": imported, "failures": failures, "unwalked": unwalked,
               "requires": requires, "markers": markers}, file)
print("imported %d modules" % len(imported))
"""


_IMPORT_ERRORS = ("ImportError", "ModuleNotFoundError")


class Kind(enum.StrEnum):
    FAILED = "failed"
    SKIPPED = "skipped"  # it refuses this platform, or the project listed it
    OPTIONAL = "not imported"  # it needs a module nobody installed and the package needs not


@dataclass(frozen=True)
class Failure:
    """A module that did not import, as the walk saw it."""

    module: str
    top: bool
    error: str  # repr of the exception
    chain: tuple[Raised, ...]
    frames: tuple[Frame, ...]
    traceback: str


@dataclass(frozen=True)
class Walked:
    imported: tuple[str, ...]
    failures: tuple[Failure, ...]
    unwalked: tuple[str, ...]  # listed in import-skip: not imported
    requires: tuple[str, ...]  # the distribution's Requires-Dist
    markers: dict[str, str]  # the cell interpreter's environment markers


@dataclass(frozen=True)
class Verdict:
    module: str
    kind: Kind
    reason: str
    traceback: str = ""


def argv(
    python: str, out: Path, distribution: str, tops: Sequence[str], skip: Sequence[str]
) -> list[str]:
    asked = {"distribution": distribution, "tops": list(tops), "skip": list(skip)}
    return [python, "-c", WALK, str(out), json.dumps(asked)]


def read(path: Path) -> Walked:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    failures = tuple(
        Failure(
            f["module"],
            f["top"],
            f["error"],
            tuple(Raised(t, m, bool(p)) for t, m, p in f["chain"]),
            tuple(Frame(str(file), int(line), str(fn)) for file, line, fn in f["frames"]),
            f["traceback"],
        )
        for f in data["failures"]
    )
    return Walked(
        tuple(data["imported"]), failures, tuple(data["unwalked"]), tuple(data["requires"]),
        dict(data["markers"]),
    )  # fmt: skip


def judge(
    walked: Walked, tops: Iterable[str], source: Callable[[str], bytes | None]
) -> list[Verdict]:
    """Each module that was not imported, and why; `source` reads a frame's file (None: gone)."""
    own = set(tops)
    verdicts = [Verdict(m, Kind.SKIPPED, "listed in import-skip") for m in walked.unwalked]
    return verdicts + [_judged(f, own, walked, source) for f in walked.failures]


def _judged(
    failure: Failure, own: set[str], walked: Walked, source: Callable[[str], bytes | None]
) -> Verdict:
    def failed(reason: str) -> Verdict:
        return Verdict(failure.module, Kind.FAILED, reason, failure.traceback)

    if failure.top:
        return failed(f"a top-level module must import: {failure.error}")
    frame = guarding_frame(failure.frames)
    text = source(frame.file) if frame is not None else None
    platform = walked.markers.get("sys_platform", "")
    guard = refusal(frame, text, failure.chain, platform) if frame is not None and text else None
    if frame is not None and guard is not None:
        where = f"{frame.file.rpartition('site-packages/')[2]}:{frame.line}"
        return Verdict(failure.module, Kind.SKIPPED, f"refuses this platform: {guard} ({where})")
    missing = _missing(_not_found(failure.chain), own, walked)
    if missing is None:
        return failed(failure.error)
    kind, reason = missing
    return failed(reason) if kind is Kind.FAILED else Verdict(failure.module, kind, reason)


def _not_found(chain: Sequence[Raised]) -> Raised | None:
    """The module not found behind an import error: the error itself, or the one an ImportError
    was raised from or while handling (`except ImportError: raise ImportError("pip install
    pkg[extra]")`, the usual word for an optional dependency)."""
    if chain[0].type not in _IMPORT_ERRORS:
        return None
    return next((r for r in chain if r.type == "ModuleNotFoundError" and r.missing), None)


def _missing(raised: Raised | None, own: set[str], walked: Walked) -> tuple[Kind, str] | None:
    """A module that was not found: the package's own or a declared one fails; another is an
    optional dependency. None: the failure is something else."""
    if raised is None or not raised.missing:
        return None
    name, top = raised.missing, raised.missing.split(".")[0]
    if top in own:
        return Kind.FAILED, f"its own module {name} is missing"
    if raised.present:
        return Kind.FAILED, f"needs {name}, which the installed {top} does not have"
    declared, elsewhere = _declared(top, walked.requires, walked.markers)
    if declared:
        return Kind.FAILED, f"needs {name}: the package requires {declared}, not installed here"
    why = f"; it is required only where {elsewhere}" if elsewhere else ""
    return Kind.OPTIONAL, f"needs {name}, which is not installed (an optional dependency{why})"


def _declared(top: str, requires: Iterable[str], markers: Mapping[str, str]) -> tuple[str, str]:
    """The requirement naming `top` that holds in this environment, and (when none holds) the
    marker of one that holds elsewhere; empty strings when neither."""
    elsewhere = ""
    for text in requires:
        try:
            requirement = Requirement(text)
            holds = requirement.marker is None or requirement.marker.evaluate(
                {**markers, "extra": ""}
            )
        except (InvalidRequirement, InvalidMarker, KeyError, ValueError):
            continue  # not ours to judge; uv installed what it could read
        if canonicalize_name(requirement.name) != canonicalize_name(top):
            continue
        if holds:
            return text, ""
        elsewhere = str(requirement.marker)
    return "", elsewhere


def source(file: str) -> bytes | None:
    """A module's source, read for the evidence of a platform guard (None: not a file here)."""
    try:
        return Path(file).read_bytes()
    except OSError:
        return None


def failed(verdicts: Sequence[Verdict]) -> str | None:
    """The check's error naming the modules that failed; None when none did."""
    failures = [v for v in verdicts if v.kind is Kind.FAILED]
    if not failures:
        return None
    named = "; ".join(f"{v.module} ({v.reason})" for v in failures[:3])
    more = f" and {len(failures) - 3} more" if len(failures) > 3 else ""
    return f"{len(failures)} of the package's modules did not import: {named}{more}"


def render(walked: Walked, verdicts: Sequence[Verdict], skip: Sequence[str]) -> str:
    """The walk's summary for the check's log: a line per module not imported, then the
    tracebacks of the failed ones."""
    counts = {k: sum(v.kind is k for v in verdicts) for k in Kind}
    lines = [
        f"# the import walk: {len(walked.imported)} imported, "
        + ", ".join(f"{n} {k.value}" for k, n in counts.items())
    ]
    lines += [f"# {v.kind.value}: {v.module}: {v.reason}" for v in verdicts]
    lines += [
        f"# import-skip names {s}, which the walk did not meet"
        for s in skip
        if not any(m == s or m.startswith(f"{s}.") for m in walked.unwalked)
    ]
    for verdict in (v for v in verdicts if v.kind is Kind.FAILED):
        lines += [f"# {verdict.module}:", verdict.traceback.rstrip()]
    return "\n".join(lines) + "\n"
