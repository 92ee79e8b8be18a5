"""What the trusted-publishing stand-ins were asked, for the rehearsal's report: every identity
token handed out or refused, every exchange, every upload, in the order they happened, with the
job that asked, the claims that counted and the outcome. No token or secret is ever put in."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

# The claims worth showing: what PyPI matches, and what tells the runs and refs apart.
SHOWN = ("sub", "repository", "repository_owner", "job_workflow_ref", "environment", "ref", "sha",
         "event_name", "run_id")  # fmt: skip


@dataclass(frozen=True)
class Entry:
    kind: str  # "identity" (the CI's token endpoint), "mint" or "upload" (an index's front)
    index: str  # the index's role (testpypi, pypi); "" for the CI's token endpoint
    job: str  # GITHUB_JOB of the asking process, "" when it could not be told
    outcome: str  # "ok", "refused" or "failed"
    reason: str = ""  # why not ok (for a refused exchange: the detail the index keeps to itself)
    claims: Mapping[str, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    at: float = field(default_factory=time.time)


def shown(claims: Mapping[str, object]) -> dict[str, str]:
    return {name: str(claims[name]) for name in SHOWN if claims.get(name) not in (None, "")}


class Record:
    """Thread-safe: the stand-ins answer each request in a thread of its own."""

    def __init__(self) -> None:
        self._entries: list[Entry] = []
        self._lock = threading.Lock()

    def add(self, entry: Entry) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries)

    def as_json(self) -> list[dict[str, object]]:
        return [asdict(entry) for entry in self.entries()]

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_json(), indent=2) + "\n", encoding="utf-8")
        return path
