"""A wheel packed from an installed distribution's files, as its RECORD lists them: for a place
that needs the running staged-release as a wheel where no source tree is at hand to build one
(an installed tool, `uv tool install ./staged-release`, whose workflow rehearsal hands its own
wheel to the jobs). The files are the installed bytes; what an installer added is left out.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import zipfile
from pathlib import Path, PurePosixPath

from release.artifacts.metadata import tag_lines

# What installers write into .dist-info (PEP 376, 610, 627; uv's own): no part of a wheel.
_ADDED = frozenset(
    {"INSTALLER", "REQUESTED", "direct_url.json", "RECORD", "uv_build.json", "uv_cache.json"}
)


def pack_installed(name: str, into: Path) -> Path:
    """The installed distribution `name` as a wheel in `into`; its path."""
    dist = importlib.metadata.distribution(name)
    files = sorted(
        (PurePosixPath(str(f)) for f in dist.files or () if _shipped(PurePosixPath(str(f)))),
        key=lambda f: (f.parts[0].endswith(".dist-info"), str(f)),  # metadata last, as built
    )
    info = next(f.parts[0] for f in files if f.parts[0].endswith(".dist-info"))
    into.mkdir(parents=True, exist_ok=True)
    wheel = into / f"{info.removesuffix('.dist-info')}-{_tag(dist)}.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        record = [_written(archive, f, Path(str(dist.locate_file(f)))) for f in files]
        record.append(f"{info}/RECORD,,")
        archive.writestr(f"{info}/RECORD", "".join(f"{line}\n" for line in record))
    return wheel


def _shipped(file: PurePosixPath) -> bool:
    """In the wheel: inside site-packages (not a script in bin/), no bytecode, no installer's."""
    if file.parts[0] == ".." or file.suffix == ".pyc":
        return False
    return not (file.parent.name.endswith(".dist-info") and file.name in _ADDED)


def _written(archive: zipfile.ZipFile, name: PurePosixPath, path: Path) -> str:
    data = path.read_bytes()
    archive.writestr(str(name), data)
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _tag(dist: importlib.metadata.Distribution) -> str:
    """The wheel's tag from its WHEEL file (py3-none-any for a pure one)."""
    return next(iter(tag_lines(dist.read_text("WHEEL") or "")), "py3-none-any")
