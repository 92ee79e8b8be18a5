"""A check that checked nothing has failed: the words each tool prints when it was given nothing.

Several exit 0 all the same (ruff prints "All checks passed!" after it skipped every file under
site-packages), so an exit code alone cannot tell a clean project from an empty check.
"""

from __future__ import annotations

PYTEST_NO_TESTS = 5  # pytest's exit code when it collected no test

# What a tool prints when it was given nothing, and what that means; matched as printed.
SAID = (
    ("No Python files found", "ruff found no Python files to lint"),
    ("There are no .py[i] files", "mypy found no .py or .pyi files to check"),
    ("No source files found", "pyright found no source files to check"),
    ("There are no files to check", "flake8 found no files to check"),
    ("compiled 0 modules", "there was no installed module to compile"),
    ("imported 0 modules", "there was no installed module to import"),
)


def checked_nothing(output: str, returncode: int) -> str | None:
    """Why a check with this whole log and exit code checked nothing; None when it did not."""
    if returncode == PYTEST_NO_TESTS and "no tests ran" in output:
        return "it checked nothing: pytest collected no tests (exit 5, 'no tests ran')"
    for words, meaning in SAID:
        if words in output:
            return f"it checked nothing: {meaning} ({words!r})"
    return None
