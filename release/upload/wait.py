"""The wait until an index lists every file of a build with its sha256, and what it still
lacks: the stage's own wait (release.upload._listing) and rule (release.upload._rules), public
for whoever times them apart from an upload (benchmarks/rehearse_rc.py)."""

from __future__ import annotations

from release.upload._listing import wait_until_listed as wait_until_listed
from release.upload._rules import missing as missing

__all__ = ["missing", "wait_until_listed"]
