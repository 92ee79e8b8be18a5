"""What a built sdist or wheel says about itself: the `Version` of its core metadata.

A file name can say one version while the metadata inside says another (a backend that reads
the version from git or a file); installers and indexes believe the metadata.
"""

from __future__ import annotations

import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path, PurePosixPath

WHEEL = ".whl"


def built_version(path: Path) -> str | None:
    """The `Version:` of a wheel's `*.dist-info/METADATA` or of the `PKG-INFO` at an sdist's top
    directory; None when the archive has no such file or field, or cannot be read."""
    try:
        text = _wheel_metadata(path) if path.name.endswith(WHEEL) else _sdist_metadata(path)
    except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError):
        return None
    return None if text is None else HeaderParser().parsestr(text).get("Version")


def kind_of(path: Path) -> str:
    return "wheel" if path.name.endswith(WHEEL) else "sdist"


def _wheel_metadata(path: Path) -> str | None:
    with zipfile.ZipFile(path) as archive:
        name = next((n for n in archive.namelist() if _is_top(n, ".dist-info", "METADATA")), None)
        return None if name is None else archive.read(name).decode("utf-8", errors="replace")


def _sdist_metadata(path: Path) -> str | None:
    with tarfile.open(path) as archive:
        member = next((m for m in archive if _is_top(m.name, "", "PKG-INFO") and m.isfile()), None)
        data = None if member is None else archive.extractfile(member)
        return None if data is None else data.read().decode("utf-8", errors="replace")


def _is_top(name: str, folder_suffix: str, filename: str) -> bool:
    """`name` is `<folder>/<filename>` with the folder at the archive's top: a PKG-INFO deeper
    down (in an egg-info, say) describes nothing we ship."""
    parts = PurePosixPath(name).parts
    return len(parts) == 2 and parts[0].endswith(folder_suffix) and parts[1] == filename
