"""`staged-release status --indexes local` against real stand-ins: the project's own devpi state
and docker-registry state, seeded through their own upload APIs (what twine and an engine's push
send), then read by the command as a user runs it. One drifting history holds every
inconsistency the issue names, each reported by its line, exit 1; a clean history exits 0.

No Docker engine is needed: an image is a config blob with labels and a manifest, pushed
through the Registry HTTP API v2.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from release.artifacts.manifest import DistFile, Manifest, write
from release.containers.registry import DOCKER_MANIFEST, local_registry
from release.images import REVISION_LABEL, VERSION_LABEL, WHEEL_LABEL
from release.index.devpi import local_indexes
from release.index.profiles import RELEASE, STAGING
from tests.conftest import git_tag
from tests.integration.conftest import unique, write_project

IMAGES = '\n[tool.staged-release.images]\napp = "app:app"\n'
VARIANTS = {"raw": "", "nginx": "-nginx", "granian": "-granian"}


@dataclass(frozen=True)
class History:
    """What a project's tags, indexes and registry hold."""

    tags: tuple[str, ...]
    staging: tuple[str, ...]
    release: tuple[str, ...]
    images: dict[str, str]  # tag -> the version whose wheel its image holds ("" for another's)


# Every inconsistency of the issue, once: v1.5.0rc1 tagged and never uploaded; 1.3.0.post1 on
# PyPI with no tag; 1.4.0rc1 leaked to PyPI; latest* left on 1.3.0; 1.4.0-granian holding
# another wheel.
DRIFTING = History(
    ("v1.3.0rc1", "v1.3.0", "v1.4.0rc1", "v1.4.0", "v1.5.0rc1"),
    ("1.3.0rc1", "1.4.0rc1"),
    ("1.3.0", "1.3.0.post1", "1.4.0rc1", "1.4.0"),
    {
        **{f"{v}{s}": v for v in ("1.3.0", "1.3.0.post1", "1.4.0") for s in VARIANTS.values()},
        **{f"latest{s}": "1.3.0" for s in VARIANTS.values()},
        "1.4.0-granian": "",
    },
)
CLEAN = History(
    ("v1.0.0rc1", "v1.0.0"),
    ("1.0.0rc1",),
    ("1.0.0",),
    {f"{p}{s}": "1.0.0" for p in ("1.0.0", "latest") for s in VARIANTS.values()},
)


@dataclass(frozen=True)
class Status:
    code: int
    data: dict[str, Any]
    text: str


@pytest.fixture(scope="module")
def statuses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Status]:
    """Both histories seeded, then `status --json` on each, and the table of the drifting one."""
    found = {}
    for label, history in (("drifting", DRIFTING), ("clean", CLEAN)):
        root = seeded(tmp_path_factory.mktemp(label), history)
        as_json = status(root, "--json")
        table = status(root) if history is DRIFTING else as_json
        assert as_json.returncode == table.returncode, table.stderr
        found[label] = Status(as_json.returncode, json.loads(as_json.stdout), table.stdout)
    return found


def status(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STAGED_RELEASE_INDEXES": "local"}
    return subprocess.run(
        [sys.executable, "-m", "release", "-q", "status", *argv, "--project", str(root)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def seeded(folder: Path, history: History) -> Path:
    """A project with `history` in its own state directory, where status reads it."""
    name = unique("status")
    root = write_project(folder / name, name, history.release[-1], extra=IMAGES)
    git_tag(root, *history.tags)
    annotate(root, history.tags[-2])  # a release tag as `git tag -a` makes it
    state = root / ".staged-release"
    with local_indexes(state / "indexes") as stand_ins, httpx.Client(timeout=30) as http:
        for role, versions in ((STAGING, history.staging), (RELEASE, history.release)):
            for version in versions:
                upload(http, f"{stand_ins.base_url}root/{role}/", name, version)
    with local_registry(state / "registry") as address, httpx.Client(timeout=30) as http:
        for tag, version in history.images.items():
            push_image(http, f"http://{address}", name, tag, version, name)
    built = [DistFile(f, sha256(f), 1) for f in files(name, history.release[-1])]
    (root / "dist").mkdir()
    write(root / "dist", Manifest(name, history.release[-1], tuple(built)))
    return root


def annotate(root: Path, tag: str) -> None:
    """`tag` again, as an annotated tag: a tag object of its own that names the commit."""
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for args in (["tag", "-d", tag], ["tag", "-a", "-m", "release", tag]):
        subprocess.run(["git", *ident, "-C", str(root), *args], check=True, capture_output=True)


def files(name: str, version: str) -> tuple[str, str]:
    module = name.replace("-", "_")
    return f"{module}-{version}-py3-none-any.whl", f"{module}-{version}.tar.gz"


def content(filename: str) -> bytes:
    return f"the bytes of {filename}\n".encode()


def sha256(filename: str) -> str:
    return hashlib.sha256(content(filename)).hexdigest()


def upload(http: httpx.Client, url: str, name: str, version: str) -> None:
    """The upload twine sends (the legacy upload API), anonymous as the stand-ins allow."""
    for filename in files(name, version):
        done = http.post(
            url, data={":action": "file_upload", "name": name, "version": version},
            files={"content": (filename, content(filename))},
        )  # fmt: skip
        assert done.status_code == 200, done.text


def push_image(http: httpx.Client, base: str, repo: str, tag: str, version: str, name: str) -> None:
    """An image whose labels say it holds `version`'s wheel (another's when version is "")."""
    wheel = sha256(files(name, version)[0]) if version else "0" * 64
    labels = {WHEEL_LABEL: wheel, VERSION_LABEL: version, REVISION_LABEL: "c0ffee"}
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "config": {"Labels": labels},
        "rootfs": {"type": "layers", "diff_ids": []},
    }).encode()  # fmt: skip
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": DOCKER_MANIFEST, "layers": [],
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "size": len(config), "digest": blob(http, base, repo, config)},
    }).encode()  # fmt: skip
    put = http.put(
        f"{base}/v2/{repo}/manifests/{tag}", content=manifest,
        headers={"Content-Type": DOCKER_MANIFEST},
    )  # fmt: skip
    assert put.status_code == 201, put.text


def blob(http: httpx.Client, base: str, repo: str, data: bytes) -> str:
    digest = f"sha256:{hashlib.sha256(data).hexdigest()}"
    start = http.post(f"{base}/v2/{repo}/blobs/uploads/")
    assert start.status_code == 202, start.text
    where = start.headers["Location"]
    put = http.put(f"{where}{'&' if '?' in where else '?'}digest={digest}", content=data)
    assert put.status_code == 201, put.text
    return digest


def rules(status: Status) -> list[tuple[str, str]]:
    return [(d["rule"], d["version"]) for d in status.data["drift"]]


def test_every_inconsistency_is_a_drift_line_and_exit_1(statuses: dict[str, Status]) -> None:
    drifting = statuses["drifting"]
    assert drifting.code == 1
    assert rules(drifting) == [
        ("tag-without-upload", "1.5.0rc1"),
        ("upload-without-tag", "1.3.0.post1"),
        ("rc-on-release-index", "1.4.0rc1"),
        ("image-holds-another-wheel", "1.4.0"),
        *[("latest-not-highest", "1.4.0")] * 3,
    ]
    for drift in drifting.data["drift"]:  # the table shows the same lines
        assert f"drift: {drift['line']}" in drifting.text
    lines = [d["line"] for d in drifting.data["drift"]]
    assert lines[0].startswith("v1.5.0rc1 is tagged but no index lists 1.5.0rc1")
    assert "`git tag v1.3.0.post1 c0ffee`" in lines[1]
    assert lines[2].startswith("1.4.0rc1 is a release candidate on local PyPI")
    name = drifting.data["project"]
    assert f"local registry/{name}:1.4.0-granian holds wheel sha256 {'0' * 64}" in lines[3]
    assert ":latest-nginx holds 1.3.0, but the highest release on local PyPI is 1.4.0" in lines[5]


def test_rows_say_where_each_version_stands(statuses: dict[str, Status]) -> None:
    rows = {r["version"]: r for r in statuses["drifting"].data["versions"]}
    assert list(rows) == ["1.5.0rc1", "1.4.0", "1.4.0rc1", "1.3.0.post1", "1.3.0", "1.3.0rc1"]
    assert rows["1.5.0rc1"]["state"] == "rc tagged, on no index"
    assert rows["1.3.0.post1"]["state"] == "post on local PyPI, images published; not tagged"
    assert rows["1.4.0rc1"]["state"] == "rc on local TestPyPI; rc on local PyPI"
    final = rows["1.4.0"]
    assert final["tag"] == "v1.4.0"
    assert final["commit"] == rows["1.4.0rc1"]["commit"]  # annotated: peeled to its commit
    assert len(final["commit"]) == 40
    assert [(f["filename"], f["matches_manifest"]) for f in final["files"]["local PyPI"]] == [
        (name, True) for name in sorted(files(statuses["drifting"].data["project"], "1.4.0"))
    ]
    assert "latest-nginx" in [i["tag"] for i in rows["1.3.0"]["images"]]  # where latest is
    held = {i["variant"]: i["wheel_sha256"] for i in final["images"]}
    assert held["raw"] == final["files"]["local PyPI"][0]["sha256"] != held["granian"]


def test_a_clean_history_has_no_drift_and_exits_0(statuses: dict[str, Status]) -> None:
    clean = statuses["clean"]
    assert (clean.code, clean.data["drift"]) == (0, [])
    rows = clean.data["versions"]
    assert [(r["version"], r["state"]) for r in rows] == [
        ("1.0.0", "final on local PyPI, images published"),
        ("1.0.0rc1", "rc on local TestPyPI"),
    ]
    images = rows[0]["images"]
    assert sorted(i["tag"] for i in images) == sorted(CLEAN.images)
    assert [i for i in images if not i["digest"].startswith("sha256:")] == []
    assert clean.data["next"]["post"] == "1.0.0.post1"
