"""The GitHub Release's notes and checksums (pure), and the client's calls against the workflow
rehearsal's stand-in of GitHub's API: a Release published from GitHub's page is updated, not
duplicated."""

from __future__ import annotations

import hashlib
from typing import Any

import yaml

from release.artifacts.manifest import DistFile, Manifest
from release.config.images import ImagesSpec
from release.github import api as github_api
from release.github.releases import notes, sha256sums
from release.github.workflow import Facts, release_workflow
from release.index.simple_api import ListedFile
from release.rehearsals.workflow.github_api import Api, serving
from release.validation.results import ImagesRecord

WHEEL = DistFile("pkg-1.0.0-py3-none-any.whl", "a" * 64, 10)
SDIST = DistFile("pkg-1.0.0.tar.gz", "b" * 64, 20)
MANIFEST = Manifest("pkg", "1.0.0", (WHEEL, SDIST))


def test_sha256sums_is_what_sha256sum_checks() -> None:
    assert sha256sums(MANIFEST) == f"{'a' * 64}  {WHEEL.filename}\n{'b' * 64}  {SDIST.filename}\n"


def test_the_notes_name_each_file_where_pypi_serves_it_and_each_image_digest() -> None:
    attested = "https://files.example/w.provenance"
    urls = {
        WHEEL.filename: ListedFile(WHEEL.filename, "https://files.example/w#sha256=a", "a" * 64,
                                   provenance=attested),
        SDIST.filename: ListedFile(SDIST.filename, "https://files.example/s", "b" * 64),
    }  # fmt: skip
    images = ImagesRecord("pkg", "1.0.0", "a" * 64, {"raw": "sha256:1", "nginx": "sha256:2"})
    text = notes(MANIFEST, urls, images)
    assert f"| {WHEEL.filename} | `{'a' * 64}` | https://files.example/w | {attested} |" in text
    assert f"| {SDIST.filename} | `{'b' * 64}` | https://files.example/s | none |" in text
    assert "| pkg:1.0.0 | `sha256:1` |" in text
    assert "| pkg:1.0.0-nginx | `sha256:2` |" in text
    assert "| image |" not in notes(MANIFEST, urls, None)


def _jobs(facts: Facts) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(release_workflow(facts))["jobs"]
    return loaded


def test_an_rc_lane_ends_with_a_pre_release_only_when_the_settings_ask() -> None:
    images = ImagesSpec(app="app:app", registry="ghcr.io/example")
    asked = _jobs(Facts(("3.12",), e2e=True, images=images, prereleases=True))
    job = asked["github_prerelease"]
    assert (job["needs"], job["if"]) == (
        ["plan", "e2e_rc"],
        "needs.plan.outputs.target == 'testpypi'",
    )
    assert job["permissions"] == {"contents": "write"}
    # the same session; no image digests: an rc's images are built for its E2E, never pushed
    assert job["steps"][-1]["run"] == "nox -s github_release"
    assert [s["with"]["name"] for s in job["steps"] if "name" in s.get("with", {})] == ["dist"]
    assert list(asked)[-2:] == ["github_prerelease", "github_release"]
    assert asked["github_release"]["needs"] == ["plan", "e2e_postpublish"]
    assert "github_prerelease" not in _jobs(Facts(("3.12",), e2e=True, images=images))


def test_an_rcs_notes_say_where_testpypi_serves_each_file() -> None:
    listed = {f.filename: ListedFile(f.filename, f"https://test.example/{f.filename}", f.sha256)
              for f in MANIFEST.files}  # fmt: skip
    text = notes(MANIFEST, listed, None, "TestPyPI")
    assert text.startswith("pkg 1.0.0, released by its TestPyPI lane.\n")
    assert "| file | sha256 | on TestPyPI | attestations |" in text
    assert (
        f"| {WHEEL.filename} | `{'a' * 64}` | https://test.example/{WHEEL.filename} | none |"
        in text
    )


def test_a_release_made_on_githubs_page_is_updated_and_its_assets_not_resent() -> None:
    api = Api("o/r", "tok")
    env = {"GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": "tok"}
    with serving(api) as where:
        client = github_api.from_env({**env, "GITHUB_API_URL": next(iter(where.values()))})
        with client.client() as http:
            made = client.save_release(http, {"tag_name": "v1.0.0", "body": "by hand"})
            client.upload_asset(http, made, "SHA256SUMS", b"sums")
            saved = client.save_release(http, {"tag_name": "v1.0.0", "body": "the lane's"})
    (release,) = api.releases.entries
    assert (saved["id"], release["body"]) == (made["id"], "the lane's")
    assert release["assets"] == [
        {"name": "SHA256SUMS", "size": 4, "sha256": hashlib.sha256(b"sums").hexdigest()}
    ]
