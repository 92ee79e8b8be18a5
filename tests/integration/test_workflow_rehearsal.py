"""rehearse --workflow on a tiny project, no images: its release.yml under real act, offline,
on the stand-ins. A hand-edited workflow fails at plan with the diff, skips what needs plan as
GitHub would, and the report says how to reproduce it; one whose edit also took the drift check
out breaks its hand-off in the job that misses the artifact; an injected failure in a cell shows
the same way; the upload publishes with tokens shorter-lived than its lookups, and with the token
secret where no trusted publisher is registered."""

from __future__ import annotations

import json
import os
import re
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


# nox's line for the session's command: the tool environment's Python, the job's workspace.
_SESSION = re.compile(r"^nox > (\S+) -P -m release \S+ --project (\S+)", re.MULTILINE)


def own_tools(event: dict[str, Any]) -> list[str]:
    """The jobs of `event` that ran a nox session, each having run it with the nox it installed
    itself into tool folders of its own, as on a fresh runner: on GitHub a job that relied on
    another job's install fails at its nox (so did a 3.10 cell's, installing the tools on 3.10)."""
    ran: dict[str, Path] = {}
    for name, job in _jobs(event).items():
        log = Path(job["log"]).read_text() if "log" in job else ""
        session = _SESSION.search(log)
        if session is None:
            continue
        python, workspace = (Path(p) for p in session.groups())
        assert python.is_relative_to(workspace.parent), f"{name} ran {python}"  # its own run's
        tools = re.search(r"^Set UV_TOOL_DIR to (\S+)$", log, re.MULTILINE)
        assert tools is not None, f"{name}: its setup-uv gave it no tool folder"
        assert python.is_relative_to(tools[1]), f"{name} ran {python}"
        assert "Installed 2 executables: nox, tox-to-nox" in log, name  # by the job itself
        ran[name] = Path(tools[1])
    assert len(set(ran.values())) == len(ran)  # no two jobs shared a folder
    return sorted(ran)


@pytest.mark.integration
def test_a_renamed_artifact_fails_the_job_that_needs_it(tmp_path: Path) -> None:
    """A hand edit that also takes plan's drift check out runs as edited, as GitHub runs it:
    the broken hand-off fails in the job that misses the artifact."""
    root = adopted(tmp_path / "project")
    workflow = root / ".github" / "workflows" / "release.yml"
    text = workflow.read_text().replace(" --check-workflow\n", "\n", 1)
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
def test_a_hand_edited_workflow_fails_at_plan_with_the_diff(tmp_path: Path) -> None:
    """(g) A hand edit that would break a hand-off (build hands on `dist-renamed`, every later
    job downloads `dist`) never gets that far: plan finds the drift and fails, the diff in its
    summary, and every job after it is skipped as GitHub skips them."""
    root = adopted(tmp_path / "project")
    workflow = root / ".github" / "workflows" / "release.yml"
    workflow.write_text(workflow.read_text().replace("name: dist\n", "name: dist-renamed\n", 1))
    _git(root, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qam", "edit")
    done, data = rehearse(root, "--event", "push", "--tag", TAG)
    assert done.returncode == 1, done.stdout + done.stderr
    (event,) = data["events"]
    jobs = _jobs(event)
    plan = jobs["plan"]
    assert plan["status"] == "failure"
    assert plan["reproduce"] == "nox -s plan -- --json --check-workflow"
    shown = "\n".join(plan["summary"])
    assert "release.yml differs from what this staged-release generates" in shown
    assert "```diff" in shown
    assert "-          name: dist-renamed\n+          name: dist\n" in shown
    assert jobs["build"]["why"] == "needs plan, which failed"
    assert jobs["upload_testpypi"]["why"] == "needs plan, which failed"
    assert "failed (push of v0.3.0rc1): plan" in done.stdout
    page = (tmp_path / "report" / "report.html").read_text()
    assert page.index("Failures (1)") < page.index("Event 1")


@pytest.mark.integration
def test_an_injected_failure_a_short_token_lifetime_and_no_final_without_a_green_rc(
    tmp_path: Path,
) -> None:
    """An injected failure fails its cell; (e) with tokens that live 60 s while the upload's
    reads of the index take 120 s each (the stand-ins' clock), the upload job still publishes:
    its token is minted right before twine runs; then (d, --keep-going) the final of that red
    rc and a final with no rc at all are each refused at plan (exit 2) before anything is
    built, naming the rc runs."""
    root = adopted(tmp_path / "project")
    done, data = rehearse(root, "--keep-going", "--fail-at", "validate_rc:3.12",
                          "--token-lifetime", "60", "--clock-step", "120",
                          "--event", f"push:{TAG}", "--event", "push:v0.3.0",
                          "--event", "push:v0.4.0")  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert data["injected"] == "validate_rc:3.12"
    named = ("rc lane runs: v0.3.0rc1 (run 1, push): failure", "no rc tag of 0.4.0 exists")
    for event, found in zip(data["events"][1:], named, strict=True):
        refused = _jobs(event)
        assert (refused["plan"]["status"], refused["build"]["why"]) == (
            "failure", "needs plan, which failed"
        )  # fmt: skip
        log = Path(refused["plan"]["log"]).read_text()
        assert "needs a green rc lane" in log
        assert found in log
        assert "exit code 2" in log
    assert [(r["head_branch"], r["conclusion"]) for r in data["github"]["runs"]] == [
        ("v0.4.0", "failure"), ("v0.3.0", "failure"), (TAG, "failure")
    ]  # fmt: skip
    assert len(data["audit"]) == 1  # nothing of 0.3.0 or 0.4.0 was built
    jobs = _jobs(data["events"][0])
    # trusted publishing for real: the upload job exchanged its identity for a token
    assert jobs["upload_testpypi"]["status"] == "success"
    assert "credential: trusted publishing" in jobs["upload_testpypi"]["note"]
    assert "attestations: skipped" in jobs["upload_testpypi"]["note"]
    minted = [(e["job"], e["outcome"]) for e in data["exchanges"] if e["kind"] == "mint"]
    assert minted == [("upload_testpypi", "ok")] * 2  # to prove the publisher; to upload
    uploads = [e["outcome"] for e in data["exchanges"] if e["kind"] == "upload"]
    assert uploads == ["ok", "ok"]  # the sdist and the wheel, neither refused as expired
    cell = jobs["validate_rc (3.12)"]
    assert (cell["status"], cell["reproduce"]) == ("failure", "nox -s validate_rc-3.12")
    assert "injected-failure" in Path(cell["log"]).read_text()
    assert data["audit"][0]["ok"], data["audit"]  # the rc's files are on the staging index
