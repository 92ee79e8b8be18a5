"""Text that leaves the suite (logs, errors, tables, reports): secrets redacted, terminal codes
removed. A leaf: the error family and the report both use it, so it imports neither."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# Environment variables whose values are secrets wherever they appear.
_SECRET_NAME = re.compile(r"(TOKEN|PASSWORD|SECRET|API_KEY)", re.IGNORECASE)
_MIN_SECRET_LEN = 4  # shorter values would blank out ordinary words
# Terminal colour and cursor codes (CSI and OSC sequences): tools colour what they print.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
REDACTED = "***"


def secret_values(env: Mapping[str, str]) -> frozenset[str]:
    """The values of the variables whose names say they are secrets (TOKEN, PASSWORD, ...)."""
    return frozenset(
        value
        for name, value in env.items()
        if _SECRET_NAME.search(name) and len(value) >= _MIN_SECRET_LEN
    )


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):  # a longer secret may hold a shorter
        text = text.replace(secret, REDACTED)
    return text


def plain(text: str) -> str:
    """`text` without terminal colour codes, for errors, tables and reports."""
    return _ANSI.sub("", text)
