"""What validation proved, kept on disk: a later stage in another process (the images stage
after a cell's own `nox -s` run) must know that every cell passed for exactly this wheel.

One file per cell: <state>/results/<stage>-<python>.json. A cell removes its file when it
starts, so a stale pass never outlives a new attempt.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = "results"


@dataclass(frozen=True)
class CellRecord:
    stage: str
    python: str
    name: str  # the distribution, normalized
    version: str
    wheel: str  # its file name
    sha256: str
    passed: bool


def path_of(state: Path, stage: str, python: str) -> Path:
    return state / RESULTS / f"{stage}-{python}.json"


def forget(state: Path, stage: str, python: str) -> None:
    path_of(state, stage, python).unlink(missing_ok=True)


def record(state: Path, cell: CellRecord) -> None:
    path = path_of(state, cell.stage, cell.python)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(cell), indent=2) + "\n", encoding="utf-8")


def passed_pythons(state: Path, stage: str, wheel_sha256: str, version: str) -> set[str]:
    """The Pythons whose `stage` cell passed for this very wheel and version."""
    found = set()
    for path in (state / RESULTS).glob(f"{stage}-*.json"):
        cell = _read(path)
        if cell and cell.passed and (cell.sha256, cell.version) == (wheel_sha256, version):
            found.add(cell.python)
    return found


def records(state: Path) -> list[CellRecord]:
    """Every cell's last record, in a fixed order (by file name)."""
    found = (_read(path) for path in sorted((state / RESULTS).glob("*-*.json")))
    return [cell for cell in found if cell is not None]


def _read(path: Path) -> CellRecord | None:
    try:
        return CellRecord(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None  # unreadable: it proves nothing


IMAGES = "images.json"


@dataclass(frozen=True)
class ImagesRecord:
    """What the images stage published: the post-publish E2E pulls exactly these digests."""

    name: str  # the repository within the registry
    version: str
    sha256: str  # the wheel the images hold
    digests: dict[str, str]  # variant -> digest


def record_images(state: Path, published: ImagesRecord) -> None:
    path = state / RESULTS / IMAGES
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(published), indent=2) + "\n", encoding="utf-8")


def published_images(state: Path, version: str, wheel_sha256: str) -> ImagesRecord | None:
    """The images published for this very wheel and version, if the images stage ran."""
    try:
        data = json.loads((state / RESULTS / IMAGES).read_text(encoding="utf-8"))
        held = ImagesRecord(**data)
    except (OSError, ValueError, TypeError):
        return None
    return held if (held.version, held.sha256) == (version, wheel_sha256) else None
