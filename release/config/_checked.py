"""A settings table already found valid against the shipped schema, remembered by digest.

Checking a table costs a cell about 0.15 s of CPU, nearly all of it importing jsonschema (attrs,
referencing, its format checkers) while the cell's index server starts beside it on a small
machine. The verdict depends only on the schema and the table: a digest of both, recorded in the
project's state directory (one file, overwritten) once jsonschema said valid, lets a later run
with the very same schema and table skip the import. Any change to either is a new digest and is
checked again; an invalid table is never recorded, so its error is always jsonschema's own.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Any

RECORD = "settings-valid"  # in the state directory


def digest(schema: dict[str, Any], table: dict[str, Any]) -> str:
    """The pair's fingerprint: repr keeps types apart (a TOML date is not the string of one)."""
    return hashlib.sha256(repr((schema, table)).encode()).hexdigest()


def known_valid(record: Path | None, found: str) -> bool:
    try:
        return record is not None and record.read_text(encoding="ascii").strip() == found
    except (OSError, UnicodeDecodeError):
        return False


def remember(record: Path | None, found: str) -> None:
    """Record the valid pair; a state directory that cannot be written only costs the next run."""
    if record is None:
        return
    with contextlib.suppress(OSError):
        record.write_text(found + "\n", encoding="ascii")
