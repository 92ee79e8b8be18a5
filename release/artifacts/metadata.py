"""What a built sdist or wheel says about itself: its core metadata, and a wheel's modules.

The one reader of built files: validation, init, the image wheelhouse and the E2E stage all ask
here. A file name can say one version while the metadata inside says another (a backend that
reads the version from git or a file); installers and indexes believe the metadata.
"""

from __future__ import annotations

import tarfile
import zipfile
import zlib
from collections.abc import Iterable
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path, PurePosixPath

from packaging.tags import Tag, parse_tag

from release.core.errors import IntegrityError

WHEEL = ".whl"
_MODULE_SUFFIXES = (".py", ".so", ".pyd")
# What a truncated or corrupt archive raises: zipfile and tarfile pass zlib's and the OS's on.
_UNREADABLE = (OSError, EOFError, zipfile.BadZipFile, zlib.error, tarfile.TarError)
_REBUILD = (
    "build it again (the build stage): a wheel is a zip archive with its *.dist-info/METADATA "
    "at the top, and the build backend's output is no such thing"
)


def built_version(path: Path) -> str | None:
    """The `Version:` of a wheel's `*.dist-info/METADATA` or of the `PKG-INFO` at an sdist's top
    directory; None when the archive has no such file or field, or cannot be read."""
    try:
        text = _wheel_text(path) if path.name.endswith(WHEEL) else _sdist_text(path)
    except _UNREADABLE:
        return None
    return None if text is None else HeaderParser().parsestr(text).get("Version")


def kind_of(path: Path) -> str:
    return "wheel" if path.name.endswith(WHEEL) else "sdist"


def wheel_metadata(wheel: Path) -> Message:
    """The core metadata of `wheel`; IntegrityError when it is no zip or has no METADATA."""
    try:
        text = _wheel_text(wheel)
    except _UNREADABLE as exc:
        raise _broken(wheel, f"cannot be read as a zip archive ({exc})") from None
    if text is None:
        raise _broken(wheel, "has no *.dist-info/METADATA at its top")
    return HeaderParser().parsestr(text)


def wheel_file_tags(wheel: Path) -> frozenset[Tag]:
    """The tags the wheel's own `*.dist-info/WHEEL` file declares (its `Tag:` lines)."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            name = next((n for n in archive.namelist() if _is_top(n, ".dist-info", "WHEEL")), "")
            text = archive.read(name).decode("utf-8", errors="replace") if name else ""
    except _UNREADABLE as exc:
        raise _broken(wheel, f"cannot be read as a zip archive ({exc})") from None
    return frozenset(tag for line in tag_lines(text) for tag in parse_tag(line))


def tag_lines(wheel_file: str) -> list[str]:
    """The `Tag:` values of a `*.dist-info/WHEEL` file's text, in its order (pure)."""
    return [line.strip() for line in HeaderParser().parsestr(wheel_file).get_all("Tag") or []]


def runtime_requirements(wheel: Path) -> list[str]:
    """Requires-Dist of the wheel, markers and all."""
    # Markers stay: uv evaluates them for the cell's Python, and `extra == ...` as false.
    return list(wheel_metadata(wheel).get_all("Requires-Dist") or [])


def wheel_modules(wheel: Path) -> list[str]:
    """The importable top-level names `wheel` installs; IntegrityError when it is no zip."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
    except _UNREADABLE as exc:
        raise _broken(wheel, f"cannot be read as a zip archive ({exc})") from None
    return top_level_modules(names)


def top_level_modules(names: Iterable[str]) -> list[str]:
    """Importable top-level names in a wheel's file list (pure): packages, namespace packages
    and single-file modules, pure or compiled."""
    tops = set()
    for name in names:
        head, _, rest = name.partition("/")
        if head.endswith((".dist-info", ".data")) or not name.endswith(_MODULE_SUFFIXES):
            continue
        tops.add(head if rest else head.split(".", 1)[0])
    return sorted(tops)


def _broken(wheel: Path, what: str) -> IntegrityError:
    return IntegrityError(f"the wheel {wheel} {what}", hint=_REBUILD)


def _wheel_text(path: Path) -> str | None:
    with zipfile.ZipFile(path) as archive:
        name = next((n for n in archive.namelist() if _is_top(n, ".dist-info", "METADATA")), None)
        return None if name is None else archive.read(name).decode("utf-8", errors="replace")


def _sdist_text(path: Path) -> str | None:
    with tarfile.open(path) as archive:
        member = next((m for m in archive if _is_top(m.name, "", "PKG-INFO") and m.isfile()), None)
        data = None if member is None else archive.extractfile(member)
        return None if data is None else data.read().decode("utf-8", errors="replace")


def _is_top(name: str, folder_suffix: str, filename: str) -> bool:
    """`name` is `<folder>/<filename>` with the folder at the archive's top: a PKG-INFO deeper
    down (in an egg-info, say) describes nothing we ship."""
    parts = PurePosixPath(name).parts
    return len(parts) == 2 and parts[0].endswith(folder_suffix) and parts[1] == filename
