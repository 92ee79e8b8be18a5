"""Find the Pythons installed on this machine, so nox and uv never download one.

pyenv's shims answer only for the global version, so tools that scan PATH miss 3.12 and 3.13
and then try to download them. We look in PATH (skipping the shims) and under pyenv's
versions ourselves and put what we find first on PATH. Standard library only: the noxfile
imports this before any dependency is installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, MutableMapping
from pathlib import Path


def find(version: str, path: str, pyenv_root: Path) -> Path | None:
    """The `pythonX.Y` for `version`: first on PATH (shims excluded), else newest under pyenv."""
    exe = f"python{version}"
    shims = pyenv_root / "shims"
    for entry in path.split(os.pathsep):
        candidate = Path(entry) / exe
        if entry and Path(entry) != shims and _runnable(candidate):
            return candidate
    installed = sorted(pyenv_root.glob(f"versions/{version}.*/bin/{exe}"), key=_patch_level)
    return installed[-1] if installed else None


def locate(version: str, environ: Mapping[str, str]) -> Path | None:
    """`find` with PATH and PYENV_ROOT taken from `environ`."""
    root = Path(environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    return find(version, environ.get("PATH", ""), root)


def installed(versions: Iterable[str], environ: Mapping[str, str]) -> dict[str, Path]:
    """The interpreters found for `versions`, in their order; versions not found are left out."""
    found = {v: locate(v, environ) for v in versions}
    return {v: p for v, p in found.items() if p is not None}


def expose(versions: Iterable[str], environ: MutableMapping[str, str]) -> list[str]:
    """Put each found interpreter's directory first on PATH; return the versions not found."""
    path = environ.get("PATH", "")
    found = {v: locate(v, environ) for v in versions}
    dirs = [str(p.parent) for p in found.values() if p is not None]
    environ["PATH"] = os.pathsep.join(dict.fromkeys([*dirs, *path.split(os.pathsep)]))
    return [v for v, p in found.items() if p is None]


def _runnable(candidate: Path) -> bool:
    return candidate.is_file() and os.access(candidate, os.X_OK)


def _patch_level(exe: Path) -> tuple[int, ...]:
    version = exe.parent.parent.name  # versions/3.12.1/bin/python3.12
    return tuple(int(p) if p.isdigit() else -1 for p in version.split("."))
