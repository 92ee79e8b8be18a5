"""rehearse --workflow on a tiny project, no images: its release.yml under real act, offline,
on the stand-ins. A hand-edited workflow that breaks a hand-off fails in the job that misses
the artifact, names it, skips what needs that job as GitHub would, and the report says how to
reproduce it; an injected failure in a cell shows the same way."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PROJECTS = Path(__file__).parents[1] / "projects"
TAG = "v0.3.0rc1"


def adopted(root: Path) -> Path:
    """The no-tests fixture adopted as a new user adopts a project (init), committed."""
    shutil.copytree(PROJECTS / "adopt-no-tests", root)
    _suite("init", "--no-try", "--project", str(root))
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "adopt")
    return root


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def _suite(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAGED_RELEASE_")}
    return subprocess.run(
        [sys.executable, "-m", "release", "-q", *argv],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def rehearse(root: Path, *argv: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    folder = root.parent / "report"
    done = _suite("rehearse", "--workflow", "--project", str(root), "--report-dir", str(folder),
                  *argv)  # fmt: skip
    return done, json.loads((folder / "report.json").read_text())


def _jobs(event: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {job["name"]: job for job in event["jobs"]}


@pytest.mark.integration
def test_a_renamed_artifact_fails_the_job_that_needs_it(tmp_path: Path) -> None:
    root = adopted(tmp_path / "project")
    workflow = root / ".github" / "workflows" / "release.yml"
    text = workflow.read_text()
    # The build job hands on `dist-renamed`; every later job still downloads `dist`.
    workflow.write_text(text.replace("name: dist\n", "name: dist-renamed\n", 1))
    _git(root, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qam", "edit")
    done, data = rehearse(root, "--event", "push", "--tag", TAG)
    assert done.returncode == 1, done.stdout + done.stderr
    (event,) = data["events"]
    jobs = _jobs(event)
    assert [jobs[n]["status"] for n in ("plan", "build", "upload_testpypi")] == [
        "success", "success", "failure"
    ]  # fmt: skip
    failed = jobs["upload_testpypi"]
    assert "Artifact not found for name: dist" in Path(failed["log"]).read_text()
    # its nox session would not reproduce it: the hand-off failed before, in the download
    assert failed["failed_step"].startswith("actions/download-artifact@")
    assert failed["reproduce"].startswith("(none: it failed at step actions/download-artifact@")
    # a matrix job never started is one skipped job: its matrix was never expanded
    assert jobs["validate_rc"]["why"] == "needs upload_testpypi, which failed"
    assert jobs["candidate_checks"]["why"].startswith("its condition was false")
    assert jobs["upload_pypi"]["why"] == "needs candidate_checks, which was skipped"
    assert "failed (push of v0.3.0rc1): upload_testpypi" in done.stdout
    page = (tmp_path / "report" / "report.html").read_text()
    assert page.index("Failures (1)") < page.index("Event 1")


@pytest.mark.integration
def test_an_injected_failure_fails_its_cell_under_act(tmp_path: Path) -> None:
    root = adopted(tmp_path / "project")
    done, data = rehearse(root, "--event", "push", "--tag", TAG, "--fail-at", "validate_rc:3.12")
    assert done.returncode == 1, done.stdout + done.stderr
    assert data["injected"] == "validate_rc:3.12"
    jobs = _jobs(data["events"][0])
    # trusted publishing for real: the upload job exchanged its identity for a token
    assert jobs["upload_testpypi"]["status"] == "success"
    assert "credential: trusted publishing" in jobs["upload_testpypi"]["note"]
    assert "attestations: skipped" in jobs["upload_testpypi"]["note"]
    minted = [(e["job"], e["outcome"]) for e in data["exchanges"] if e["kind"] == "mint"]
    assert minted == [("upload_testpypi", "ok")]
    cell = jobs["validate_rc (3.12)"]
    assert (cell["status"], cell["reproduce"]) == ("failure", "nox -s validate_rc-3.12")
    assert "injected-failure" in Path(cell["log"]).read_text()
    assert data["audit"][0]["ok"], data["audit"]  # the rc's files are on the staging index
