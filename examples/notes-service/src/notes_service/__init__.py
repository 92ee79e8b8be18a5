"""A small notes service: Starlette on top of a swappable note store."""

from importlib.metadata import version

DISTRIBUTION = "notes-service"


def installed_version() -> str:
    """The version of the installed distribution: what /health reports, and what a release
    pipeline checks against the tag it built from."""
    return version(DISTRIBUTION)
