"""A package whose version hatchling reads from here."""

__version__ = "1.0.0"  # the release version: `staged-release bump` writes it


def greet(name: str) -> str:
    return f"hello {name}"
