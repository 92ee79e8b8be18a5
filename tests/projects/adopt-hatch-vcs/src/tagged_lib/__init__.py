"""Greetings, versioned by git tags."""


def greet(name: str) -> str:
    return f"hello, {name}"
