"""Echoes, with a console of its own on Windows."""

from winclick.core import echo, main

__all__ = ["echo", "main"]
