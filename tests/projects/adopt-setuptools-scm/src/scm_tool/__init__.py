"""Counting words."""


def words(text: str) -> int:
    return len(text.split())
