"""How the command line reports a failure: one line saying what happened, one saying what to do."""

from __future__ import annotations

import sys


def fail(message: str, hint: str | None, code: int, *, word: str = "error") -> int:
    print(f"{word}: {message}", file=sys.stderr)
    if hint:
        print(f"hint: {hint}", file=sys.stderr)
    return code
