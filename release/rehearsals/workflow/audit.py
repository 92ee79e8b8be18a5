"""What the stand-ins hold after the events, checked against what each event's `build` job
made: its files on the index of its lane with the manifest's sha256, nothing else there, and
(a final's lane) every image variant tagged with the version, carrying that wheel's sha256."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from release.artifacts.manifest import Manifest, load
from release.containers.registry import Registry
from release.core.errors import ReleaseError
from release.github.workflow import DIST
from release.images import VARIANTS, WHEEL_LABEL, read_tag
from release.index.profiles import RELEASE, STAGING
from release.index.simple_api import fetch_listing
from release.pipeline.stages import Job, doing
from release.rehearsals.workflow.stand_ins import Running
from release.versioning.versions import Kind, parse_version


def audit(home: Path, found: Running, project: str, events: Sequence[Mapping[str, Any]]) -> list[
    dict[str, Any]
]:  # fmt: skip
    """One line per rule: {"rule", "ok", "detail"}."""
    checked: list[dict[str, Any]] = []
    with httpx.Client(timeout=30) as http:
        for event in events:
            manifest = _manifest(home, int(event["number"]))
            if manifest is None:
                continue
            checked.append(_on_index(http, found.devpi, manifest, project))
            if found.registry and _published_images(event):
                checked.append(_images(http, found.registry, manifest, project))
    return checked


def _manifest(home: Path, number: int) -> Manifest | None:
    folder = home / f"event-{number}" / "artifacts" / DIST
    try:
        return load(folder) if (folder / "manifest.json").is_file() else None
    except ReleaseError:
        return None


def _index_of(manifest: Manifest) -> str:
    return STAGING if parse_version(manifest.version).kind is Kind.RC else RELEASE


def _on_index(http: httpx.Client, devpi: str, manifest: Manifest, project: str) -> dict[str, Any]:
    index = _index_of(manifest)
    listed = fetch_listing(http, f"{devpi}root/{index}/+simple/", project)
    mine = {f.filename: f.sha256 for f in listed if _version_of(f.filename, manifest)}
    built = {f.filename: f.sha256 for f in manifest.files}
    ok = mine == built
    detail = ", ".join(sorted(built)) if ok else f"built {_pairs(built)}; listed {_pairs(mine)}"
    rule = f"{index} holds exactly the files build made for {manifest.version} (sha256)"
    return {"rule": rule, "ok": ok, "detail": detail}


def _version_of(filename: str, manifest: Manifest) -> bool:
    stem = filename.removesuffix(".tar.gz").removesuffix(".whl")
    parts = stem.split("-")
    return len(parts) > 1 and parts[1] == manifest.version


def _pairs(files: Mapping[str, str | None]) -> str:
    return ", ".join(f"{name} {str(sha)[:12]}" for name, sha in sorted(files.items())) or "nothing"


def _published_images(event: Mapping[str, Any]) -> bool:
    pushers = {s.name for s in doing(Job.PUSH)}
    return any(j["job"] in pushers and j["status"] == "success" for j in event["jobs"])


def _images(http: httpx.Client, address: str, manifest: Manifest, project: str) -> dict[str, Any]:
    registry = Registry(address, http=http)
    tags = {read_tag(tag): tag for tag in registry.tags(project)}
    wheels = {f.sha256 for f in manifest.wheels}
    missing = []
    for variant in VARIANTS:
        tag = tags.get((manifest.version, variant))
        held = registry.labels(project, tag) if tag else None
        if held is None or held.get(WHEEL_LABEL) not in wheels:
            missing.append(variant)
    rule = f"the registry holds {', '.join(VARIANTS)} tagged {manifest.version}, with its wheel"
    detail = f"missing or another wheel: {', '.join(missing)}" if missing else f"{project}"
    return {"rule": rule, "ok": not missing, "detail": detail}
