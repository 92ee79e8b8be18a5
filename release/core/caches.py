"""Where the suite keeps what it may reuse across runs on one machine (the Docker engine's data,
the base image's packages, an empty index server directory): never what must be fresh."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def cache_dir(env: Mapping[str, str]) -> Path:
    """Our directory in the user's cache: $XDG_CACHE_HOME (when absolute) or ~/.cache."""
    xdg = env.get("XDG_CACHE_HOME", "")
    home = Path(xdg) if Path(xdg).is_absolute() else Path(env.get("HOME") or Path.home()) / ".cache"
    return home / "staged-release"
