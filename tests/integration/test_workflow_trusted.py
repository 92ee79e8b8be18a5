"""Trusted publishing as the workflow rehearsal runs it, against the real devpi stand-in: an
upload job (a `staged-release upload` process with GitHub's variables, as act starts it) gets its
identity token from the CI's token endpoint, which tells the job by its process; the index's
front matches the claims against its publisher, mints a token and takes the upload with it only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from release.artifacts.manifest import Manifest
from release.index.profiles import RELEASE, STAGING, LocalEndpoints
from release.rehearsals.workflow.trusted import (
    IndexFront,
    Publisher,
    TrustedPublishing,
    Workflow,
    trusted_publishing,
)
from release.rehearsals.workflow.trusted._front import EXPIRED, NO_AUTH
from tests.integration.conftest import build_at, unique

JOB = "upload_testpypi"
PUBLISHER = Publisher("octo/app", "release.yml", "testpypi")
API_TOKEN = "pypi-long-lived-canary-5d1f"
REFUSAL = (
    "valid token, but no corresponding publisher (Publisher with matching claims was not found)"
)
GITHUB = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_JOB": JOB,
    "GITHUB_REPOSITORY": "octo/app",
    "GITHUB_REPOSITORY_OWNER": "octo",
    "GITHUB_REF": "refs/tags/v1.0.0rc1",
    "GITHUB_SHA": "4470974c862650df95ac69c6b1f1c5c881a9bf40",
    "GITHUB_EVENT_NAME": "push",
    "GITHUB_RUN_ID": "1",
    "GITHUB_WORKFLOW": "Release",
}
SCRUBBED = ("TESTPYPI_API_TOKEN", "PYPI_API_TOKEN", "TWINE_USERNAME", "TWINE_PASSWORD",
            "STAGED_RELEASE_TRUSTED_PUBLISHING", "STAGED_RELEASE_DEPENDENCY_INDEX")  # fmt: skip


@dataclass
class Job:
    done: subprocess.CompletedProcess[str]
    root: Path
    built: Manifest
    published: TrustedPublishing


@contextmanager
def _job(
    stand_ins: LocalEndpoints, tmp_path: Path, *, environment: str = "testpypi",
    id_token: bool = True, lifetime: float = 900.0, extra: Mapping[str, str] | None = None,
    argv: Sequence[str] = (), publisher: Publisher | None = PUBLISHER, clock_step: float = 0.0,
) -> Iterator[Job]:  # fmt: skip
    """The upload job of a freshly built 1.0.0rc1, run as act runs it, with the stand-ins up."""
    root = tmp_path / "p"
    built = build_at(root, unique("sr-tp"), "1.0.0rc1")
    workflow = Workflow("release.yml", {JOB: environment}, frozenset({JOB} if id_token else ()))
    fronts = (IndexFront(STAGING, publisher, API_TOKEN), IndexFront(RELEASE))
    with trusted_publishing(
        stand_ins, workflow, fronts, lifetime=lifetime, clock_step=clock_step
    ) as published:
        env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
        env |= {**published.env(), **GITHUB, **(extra or {})}
        command = [sys.executable, "-m", "release", "upload", "--index", STAGING, *argv]
        done = subprocess.run(
            [*command, "--project", str(root)], env=env, capture_output=True, text=True,
            check=False, timeout=600,
        )  # fmt: skip
        yield Job(done, root, built, published)


def _entries(job: Job, kind: str) -> list[tuple[str, str, str]]:
    return [(e.job, e.outcome, e.reason) for e in job.published.record.entries() if e.kind == kind]


def test_an_upload_job_publishes_through_the_exchange_and_the_token_stays_secret(
    stand_ins: LocalEndpoints, tmp_path: Path
) -> None:
    with _job(stand_ins, tmp_path) as job:
        out, err = job.done.stdout, job.done.stderr
        assert job.done.returncode == 0, err
        simple = job.published.upload_urls[STAGING] + f"+simple/{job.built.name}/"
        listing = httpx.get(simple, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
        # Through the front, devpi's file addresses still lead to the very bytes built here.
        downloaded = {
            f["filename"]: hashlib.sha256(httpx.get(urljoin(simple, f["url"])).content).hexdigest()
            for f in listing.json()["files"]
        }
    assert downloaded == {f.filename: f.sha256 for f in job.built.files}
    assert "credential: trusted publishing (repository=octo/app, repository_owner=octo, " in out
    assert "environment=testpypi" in out
    assert "attestations: skipped: a stand-in index: signing needs sigstore's public" in out
    # minted twice: first to prove the publisher before anything is read, then right before
    # twine runs (the token it uploads with)
    assert _entries(job, "identity") == _entries(job, "mint") == [(JOB, "ok", "")] * 2
    uploads = [e for e in job.published.record.entries() if e.kind == "upload"]
    assert sorted(f for e in uploads for f in e.files) == sorted(downloaded)
    assert {(e.job, e.outcome, e.claims["environment"]) for e in uploads} == {
        (JOB, "ok", "testpypi")
    }
    # GitHub masks each minted token before anything else is printed; it is nowhere else.
    masks = [line for line in out.splitlines() if line.startswith("::add-mask::")]
    assert out.splitlines()[0] == masks[0]
    minted = [line.removeprefix("::add-mask::") for line in masks]
    assert len(minted) == 2
    assert all(t.startswith("pypi-") for t in minted)
    rest = [line for line in out.splitlines() if not line.startswith("::add-mask::")]
    record = json.dumps(job.published.record.as_json())
    for secret in (*minted, job.published.request_token):
        assert secret not in "\n".join(rest) + err + record
        held = [p for p in job.root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]
        assert held == []


def test_a_job_in_another_environment_is_refused_with_the_claims_and_nothing_sent(
    stand_ins: LocalEndpoints, tmp_path: Path
) -> None:
    with _job(stand_ins, tmp_path, environment="staging") as job:
        listed = httpx.get(job.published.upload_urls[STAGING] + f"+simple/{job.built.name}/")
    assert job.done.returncode == 2
    first = job.done.stderr.splitlines()[0]
    assert first.startswith(
        f"error: stand-in testpypi refused trusted publishing: invalid-publisher: {REFUSAL}; "
        "this job's identity: repository=octo/app, repository_owner=octo, "
        "job_workflow_ref=octo/app/.github/workflows/release.yml@refs/tags/v1.0.0rc1, "
        "environment=staging, ref=refs/tags/v1.0.0rc1"
    )
    assert "Traceback" not in job.done.stderr
    why = "environment: the publisher names 'testpypi', the token 'staging'"
    assert _entries(job, "mint") == [(JOB, "refused", f"invalid-publisher: {REFUSAL} ({why})")]
    assert _entries(job, "upload") == []
    assert listed.status_code == 404


def test_an_expired_minted_token_is_refused_as_expired(
    stand_ins: LocalEndpoints, tmp_path: Path
) -> None:
    with _job(stand_ins, tmp_path, lifetime=0.0) as job:  # expired the moment it is minted
        pass
    assert job.done.returncode == 2
    first, hint = job.done.stderr.splitlines()[:2]
    assert first.startswith("error: stand-in testpypi refused the upload token as expired (403); ")
    assert f"it said: {EXPIRED} (twine's output: " in first
    assert first.endswith("it came from trusted publishing (repository=octo/app, "
                          "repository_owner=octo, job_workflow_ref=octo/app/.github/workflows/"
                          "release.yml@refs/tags/v1.0.0rc1, environment=testpypi, "
                          "ref=refs/tags/v1.0.0rc1)")  # fmt: skip
    assert hint.startswith("hint: the token was minted right before twine ran")
    assert "publisher" not in hint  # not a mismatch: the publisher took the job
    assert {(e[1], e[2]) for e in _entries(job, "upload")} == {("refused", EXPIRED)}


def test_a_token_lifetime_shorter_than_the_uploads_lookups_still_publishes(
    stand_ins: LocalEndpoints, tmp_path: Path
) -> None:
    """Each read of the index ages every token by two lifetimes: a token minted at the start
    (before the upload reads the listing and the versions) would be expired at the POST."""
    with _job(stand_ins, tmp_path, lifetime=60.0, clock_step=120.0) as job:
        pass
    assert job.done.returncode == 0, job.done.stderr
    assert _entries(job, "mint") == [(JOB, "ok", "")] * 2
    kinds = [e.kind for e in job.published.record.entries() if e.kind != "identity"]
    assert kinds == ["mint", "mint", "upload", "upload"]  # the second mint right before twine
    assert {e[1] for e in _entries(job, "upload")} == {"ok"}


def test_no_publisher_and_a_token_falls_back_to_the_token_saying_so(
    stand_ins: LocalEndpoints, tmp_path: Path
) -> None:
    extra = {"TESTPYPI_API_TOKEN": API_TOKEN}
    with _job(stand_ins, tmp_path, publisher=None, extra=extra) as job:
        pass
    assert job.done.returncode == 0, job.done.stderr
    (said,) = [line for line in job.done.stdout.splitlines() if line.startswith("credential: ")]
    assert said == (
        "credential: the token in TESTPYPI_API_TOKEN (trusted publishing refused: "
        "invalid-publisher, no publisher registered for this job)"
    )
    assert "attestations: skipped: " in job.done.stdout
    assert [e[1] for e in _entries(job, "mint")] == ["refused"]
    uploads = [e for e in job.published.record.entries() if e.kind == "upload"]
    assert {(e.outcome, e.claims.get("credential")) for e in uploads} == {("ok", "the API token")}
    assert API_TOKEN not in job.done.stdout + job.done.stderr


def test_no_publisher_and_no_token_is_the_refusal_with_how_to_fall_back(
    stand_ins: LocalEndpoints, tmp_path: Path
) -> None:
    with _job(stand_ins, tmp_path, publisher=None) as job:
        pass
    assert job.done.returncode == 2
    first, hint = job.done.stderr.splitlines()[:2]
    assert first.startswith(
        "error: stand-in testpypi refused trusted publishing: invalid-publisher"
    )
    assert hint.endswith("or set TESTPYPI_API_TOKEN to fall back to a token")
    assert _entries(job, "upload") == []


def test_a_job_without_the_permission_falls_back_to_the_token_and_forged_ones_are_refused(
    stand_ins: LocalEndpoints, tmp_path: Path
) -> None:
    with _job(stand_ins, tmp_path, id_token=False, extra={"TESTPYPI_API_TOKEN": API_TOKEN}) as job:
        url = job.published.upload_urls[STAGING]
        refused = [_post(url, None), _post(url, "pypi-forged")]
    assert job.done.returncode == 0, job.done.stderr
    assert "credential: the token in TESTPYPI_API_TOKEN" in job.done.stdout
    lacks = f"job {JOB} lacks `permissions: id-token: write`: GitHub gives it no identity token"
    assert _entries(job, "identity") == [(JOB, "refused", lacks)]
    assert _entries(job, "mint") == []
    assert [(r.status_code, r.reason_phrase) for r in refused] == [(403, NO_AUTH)] * 2
    refusals = [e for e in job.published.record.entries() if e.outcome == "refused"][1:]
    assert [(e.kind, e.files) for e in refusals] == [("upload", ("forged-1.0.tar.gz",))] * 2


def _post(url: str, token: str | None) -> httpx.Response:
    """An upload as twine sends it, with `token` (or no credential at all)."""
    headers = {}
    if token is not None:
        headers["Authorization"] = (
            "Basic " + base64.b64encode(f"__token__:{token}".encode()).decode()
        )
    form = {":action": "file_upload", "name": "forged", "version": "1.0", "protocol_version": "1"}
    files = {"content": ("forged-1.0.tar.gz", b"not a real sdist")}
    return httpx.post(url, data=form, files=files, headers=headers)
