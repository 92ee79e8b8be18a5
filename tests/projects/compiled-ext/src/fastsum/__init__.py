"""Adds two integers, in C."""

from fastsum._speedups import add

__all__ = ["add"]
