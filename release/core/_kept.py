"""The whole output of a failed command that had no log of its own, kept in a file the error
names: the error carries only the tail, and nothing should need a re-run to be read."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from release.core.text import redact


def keep(argv: Sequence[str], output: str, secrets: frozenset[str]) -> Path:
    """`output` (secrets redacted) under the command line, in a new file in the temporary
    directory."""
    with tempfile.NamedTemporaryFile(
        "w", prefix="staged-release-", suffix=".log", delete=False, encoding="utf-8"
    ) as file:
        file.write(redact(f"$ {' '.join(argv)}\n{output}", secrets))
    return Path(file.name)
