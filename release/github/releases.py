"""The GitHub Release at the end of the PyPI lane (`staged-release github-release`, the
workflow's `github_release` job): the Release of the tag, with notes from what the lane left
(each file with its sha256 and the address PyPI serves it from, each image tag with its
digest), the built files and a SHA256SUMS attached. An rc's lane, where the settings ask for it
(`github-prereleases`), ends with a pre-release made the same way from TestPyPI's listing. A
Release published for the tag on GitHub's page is updated, not duplicated; an asset already
attached is not sent again.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from release.artifacts.manifest import Manifest, verified
from release.config.project import Config
from release.core.errors import IntegrityError
from release.core.progress import Progress
from release.github import api as github_api
from release.index import profiles as indexes
from release.index.simple_api import ListedFile
from release.validation.results import ImagesRecord, published_images
from release.versioning.versions import Kind, parse_version

SUMS = "SHA256SUMS"
_SPELLED = {indexes.STAGING: "TestPyPI", indexes.RELEASE: "PyPI"}  # as the notes' reader knows them


def sha256sums(manifest: Manifest) -> str:
    """`sha256sum -c`'s format: digest, two spaces, file name."""
    return "".join(f"{f.sha256}  {f.filename}\n" for f in manifest.files)


def notes(manifest: Manifest, listed: Mapping[str, ListedFile], images: ImagesRecord | None,
          index: str = "PyPI") -> str:  # fmt: skip
    """The Release's body (Markdown), from the lane's records: each file's address on the
    index and its PEP 740 attestations there (the index's provenance address, or none)."""
    lines = [f"{manifest.name} {manifest.version}, released by its {index} lane.", "",
             f"| file | sha256 | on {index} | attestations |", "|---|---|---|---|"]  # fmt: skip
    for f in manifest.files:
        found = listed[f.filename]
        url, attested = found.url.split("#", 1)[0], found.provenance or "none"
        lines.append(f"| {f.filename} | `{f.sha256}` | {url} | {attested} |")
    if images is not None:
        lines += ["", "| image | digest |", "|---|---|"]
        for variant, digest in sorted(images.digests.items()):
            tag = manifest.version + ("" if variant == "raw" else f"-{variant}")
            lines.append(f"| {images.name}:{tag} | `{digest}` |")
    lines += ["", f"`{SUMS}` lists the same sha256; `sha256sum -c {SUMS}` checks a download."]
    return "\n".join(lines) + "\n"


def publish(config: Config, dist: Path, state: Path, env: Mapping[str, str],
            progress: Progress) -> dict[str, Any]:  # fmt: skip
    """Create (or update) the tag's Release and attach the files; what GitHub answered."""
    manifest = verified(dist)
    version = parse_version(manifest.version)
    role = indexes.STAGING if version.kind is Kind.RC else indexes.RELEASE  # where it was sent
    listed, index = _listed(config, manifest, role, env, progress)
    wheel = next((f.sha256 for f in manifest.wheels), "")
    images = published_images(state, manifest.version, wheel)
    api = github_api.from_env(env)
    fields = {"tag_name": version.tag, "name": f"{manifest.name} {version}",
              "body": notes(manifest, listed, images, index), "draft": False,
              "prerelease": version.kind is Kind.RC}  # fmt: skip
    with api.client() as http:
        release = api.save_release(http, fields)
        attached = {str(a.get("name")) for a in release.get("assets") or () if isinstance(a, dict)}
        assets = {f.filename: (dist / f.filename).read_bytes() for f in manifest.files}
        assets[SUMS] = sha256sums(manifest).encode()
        for name, data in assets.items():
            if name not in attached:
                api.upload_asset(http, release, name, data)
    return {"url": release.get("html_url", ""), "assets": sorted(assets)}


def _listed(config: Config, manifest: Manifest, role: str, env: Mapping[str, str],
            progress: Progress) -> tuple[dict[str, ListedFile], str]:  # fmt: skip
    """Each file as the lane's index lists it, which must be with the manifest's sha256; and
    that index's name."""
    from release.context import Options, open_run

    options = Options(indexes.read_mode(None, env))  # reads the lane's index; installs nothing
    with open_run(config, options, progress) as run:
        index = run.index(role)
        listed = {f.filename: f for f in run.listing(index, config.name)}
    for file in manifest.files:
        found = listed.get(file.filename)
        if found is None or found.sha256 not in (None, file.sha256):
            raise IntegrityError(
                f"{file.filename} is not on {index.name} with the sha256 dist/ records",
                hint="the Release describes what the index serves: run it after the lane's upload",
            )
    return listed, _SPELLED.get(index.name, index.name)
