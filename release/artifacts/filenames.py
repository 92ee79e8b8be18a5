"""What a distribution's file name says (pure): its version, by the packaging rules that indexes
and installers apply to wheel and sdist names."""

from __future__ import annotations

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version


def version_of(filename: str) -> Version | None:
    """The version in a wheel or sdist file name (None for anything else)."""
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
