"""A settings table already found valid against the shipped schema, remembered by digest.

Checking a table costs a cell about 0.15 s of CPU, nearly all of it importing jsonschema (attrs,
referencing, its format checkers) while the cell's index server starts beside it on a small
machine. The verdict depends only on the schema, the table and the jsonschema that judged them:
a digest of the three (jsonschema's version read from its installed metadata, which spares the
import), recorded in the project's state directory (one file, overwritten) once jsonschema said
valid, lets a later run with the very same schema, table and jsonschema skip the import. Any change
to one of them is a new digest and is checked again; an invalid table is never recorded, so its
error is always jsonschema's own.
"""

from __future__ import annotations

import contextlib
import hashlib
from importlib import metadata
from pathlib import Path
from typing import Any

RECORD = "settings-valid"  # in the state directory


def digest(schema: dict[str, Any], table: dict[str, Any]) -> str:
    """The pair's fingerprint, and the judge's: repr keeps types apart (a TOML date is not the
    string of one); another jsonschema may validate otherwise (a format checked, a bug fixed)."""
    return hashlib.sha256(repr((schema, table, _judge())).encode()).hexdigest()


def _judge() -> str:
    """The installed jsonschema's version (about 10 ms where nothing imported importlib.metadata
    yet, against about 100 ms for importing jsonschema); none installed: "", which no recorded
    verdict carries, since recording one took jsonschema."""
    try:
        return metadata.version("jsonschema")
    except metadata.PackageNotFoundError:
        return ""


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
