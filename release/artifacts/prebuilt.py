"""Wheels built elsewhere (cibuildwheel in CI, a downloaded artifact), taken into a release by
`build --prebuilt DIR`: each must be this release's, by its name and by what it says inside."""

from __future__ import annotations

from pathlib import Path

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from release.artifacts.metadata import wheel_file_tags, wheel_metadata
from release.artifacts.wheels import refuse_unsupported
from release.core.errors import ConfigError, VersionMismatch
from release.versioning.versions import ReleaseVersion, to_version


def verified(folder: Path, name: str, version: ReleaseVersion) -> list[Path]:
    """The wheels of `folder`, each verified."""
    wheels = sorted(folder.glob("*.whl")) if folder.is_dir() else []
    if not wheels:
        raise ConfigError(
            f"{folder} holds no wheel to take", hint="pass the folder the wheels were built into"
        )
    for wheel in wheels:
        verify(wheel, name, version)
    return wheels


def verify(wheel: Path, name: str, version: ReleaseVersion) -> None:
    """Its name, its metadata and its WHEEL file agree with each other and with the release."""
    try:
        named, said, _, tags = parse_wheel_filename(wheel.name)
    except InvalidWheelFilename as exc:
        raise ConfigError(f"{wheel.name} is no wheel's name: {exc}", hint=_REBUILD) from None
    metadata = wheel_metadata(wheel)
    inside = (canonicalize_name(metadata.get("Name", "")), metadata.get("Version", ""))
    if not named == inside[0] == canonicalize_name(name):
        raise ConfigError(
            f"{wheel.name} is a wheel of {named} (its metadata: {inside[0] or 'no name'}), "
            f"not of {canonicalize_name(name)}",
            hint="pass a folder holding only this project's wheels",
        )
    if said != version.version or _parsed(inside[1]) != version.version:
        raise VersionMismatch(
            f"{wheel.name} is version {said} (its metadata: {inside[1] or 'none'}), but the "
            f"release is {version}",
            hint=f"build the wheels again at the tag {version.tag}, from the same commit",
        )
    refuse_unsupported([wheel.name])  # before anything is built, as PyPI would
    if wheel_file_tags(wheel) != tags:
        raise ConfigError(
            f"{wheel.name}'s WHEEL file declares other tags than its name", hint=_REBUILD
        )


_REBUILD = "build it again with a standard build frontend (cibuildwheel, `python -m build`)"


def _parsed(text: str) -> object:
    try:
        return to_version(text)
    except ValueError:
        return None
