"""The status for people (a table of rows, the drift lines, the next versions) and for machines
(one JSON object); both from the same values (pure)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from release.status.drift import Drift
from release.status.facts import Facts
from release.status.rows import File, Row


def as_dict(
    facts: Facts, rows: list[Row], drift: list[Drift], nxt: dict[str, str]
) -> dict[str, Any]:
    return {
        "project": facts.project,
        "sources": _sources(facts),
        "versions": [asdict(r) for r in rows],
        "drift": [asdict(d) for d in drift],
        "next": nxt,
        "notes": list(facts.notes),
    }


def _sources(facts: Facts) -> dict[str, str | None]:
    """What was read: None for a source that was not."""
    return {
        "tags": None if facts.tags is None else "git",
        "staging": facts.staging.label if facts.staging else None,
        "release": facts.release.label if facts.release else None,
        "registry": facts.repository if facts.images is not None else None,
        "manifest": f"dist/ ({facts.manifest.version})" if facts.manifest else None,
    }


def table(facts: Facts, rows: list[Row], drift: list[Drift], nxt: dict[str, str]) -> str:
    read = ", ".join(v for v in _sources(facts).values() if v) or "nothing"
    lines = [f"{facts.project}: {len(rows)} version(s) (read: {read})"]
    lines += [line for row in rows for line in _row(row)]
    lines += [f"note: {n}" for n in facts.notes]
    lines += [f"drift: {d.line}" for d in drift] or ["drift: none"]
    lines += [f"next {kind}: {version}" for kind, version in nxt.items()]
    return "\n".join(lines)


def _row(row: Row) -> list[str]:
    tag = f"{row.tag} @ {row.commit[:12]}" if row.tag and row.commit else "no tag"
    lines = [f"{row.version}  {row.kind}  {tag}  {row.state}"]
    lines += [
        f"    {label}: {file.filename}  sha256:{file.sha256 or '?'}{_mark(file)}"
        for label, files in row.files.items()
        for file in files
    ]
    for image in row.images:
        wheel = image.wheel_sha256 or "no wheel label"
        lines.append(f"    image {image.variant} :{image.tag}  {image.digest}  wheel {wheel}")
    return lines


def _mark(file: File) -> str:
    marks = {True: "  = dist/", False: "  ≠ dist/ (other bytes)", None: ""}
    return marks[file.matches_manifest] + ("  (yanked)" if file.yanked else "")
