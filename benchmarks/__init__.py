"""Benchmarks of issue 25 (run by `nox -s bench`); not tests, not part of the package."""
