"""A module whose version flit reads from here."""

__version__ = '1.0.0'


def greet(name: str) -> str:
    return f"hello {name}"
