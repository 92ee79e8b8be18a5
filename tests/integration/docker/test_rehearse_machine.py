"""The whole release state machine, rehearsed on a small service with images and no E2E stack
(the example without its PostgreSQL stack, one Python): rc1 fails where --fail-at says, rc2
fixes it forward, the final goes out, and a .post1 moves `latest` and no version tag."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from release.containers.engine import Engine
from tests.integration.examples import NOTES

RC = ["rc_tag", "rc_upload", "rc_validation", "rc_checks"]
FINAL = ["final_tag", "final_upload", "final_validation", "images", "postpublish_e2e"]
PATH = ["bump", *RC, "next_rc", *RC, "rc_e2e", *FINAL, "post_fix", *FINAL, "done"]


def small_service(root: Path) -> Path:
    """The example service with images, without its E2E stack and tests, on Python 3.12."""
    shutil.copytree(
        NOTES, root, ignore=shutil.ignore_patterns(".venv", "e2e", "tests", ".staged-release")
    )
    text = (root / "pyproject.toml").read_text()
    text = text[: text.index("# The E2E stack")]
    text = text.replace('"3.11", "3.12", "3.13"', '"3.12"')
    (root / "pyproject.toml").write_text(
        text.replace('"compile", "import", "tests"', '"compile", "import"')
    )
    return root


def test_the_whole_machine_fixes_forward_and_ships_a_post_release(
    engine: Engine, tmp_path: Path
) -> None:
    # Inside a repository without its tags, as the README's example sits in this one: the drift
    # section must read the rehearsal's own tags, not the surrounding repository's.
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    root = small_service(tmp_path / "service")
    folder = tmp_path / "report"
    env = {**os.environ, "DOCKER_HOST": engine.host}
    env.pop("UV_OFFLINE", None)
    argv = [sys.executable, "-m", "release", "-q", "rehearse", "--project", str(root),
            "--fail-at", "validate_rc:3.12", "--post-fix", "--report-dir", str(folder)]  # fmt: skip
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"report: {folder / 'report.html'}" in done.stdout
    data = json.loads((folder / "report.json").read_text())
    path = data["path"]
    assert [v["state"] for v in path] == PATH
    failed = [(v["state"], v["version"], v["injected"]) for v in path if v["status"] == "failed"]
    assert failed == [("rc_checks", "0.1.0rc1", True)]
    versions = [r["version"] for r in data["runs"]]
    assert versions == ["0.1.0rc1", "0.1.0rc2", "0.1.0", "0.1.0.post1"]  # rc2, never rc1 again
    # rc1's files stay on the staging index beside rc2's: a consumed version is never reused
    staging = data["facts"]["staging_files"]
    assert {re.sub(r"-(py3|py2\.py3)-none-any\.whl$", ".whl", f) for f in staging} == {
        f"notes_service-0.1.0rc{n}{ext}" for n in (1, 2) for ext in (".tar.gz", ".whl")
    }
    cell = next(o for o in data["runs"][0]["outcomes"] if o["label"] == "validate_rc-3.12")
    assert [c["name"] for c in cell["checks"] if c["status"] == "failed"] == ["injected-failure"]
    tags = {(t["run"], t["tag"].rpartition(":")[2]): t for t in data["facts"]["image_tags"]}
    post = {
        t["tag"].rpartition(":")[2]: t["pushed"]
        for t in data["facts"]["image_tags"]
        if t["run"] == "post1"
    }
    for suffix in ("", "-nginx", "-granian"):
        assert tags[("post1", f"latest{suffix}")]["now"] == post[f"0.1.0.post1{suffix}"]
        assert not tags[("final", f"0.1.0{suffix}")]["moved"]  # version tags never move
        assert tags[("final", f"latest{suffix}")]["moved"]  # latest moved on to post1
    html = (folder / "report.html").read_text()
    assert html.count('class="state visited') == len(set(PATH))
    # What `staged-release status` says of the stand-ins it left: every final has all three
    # variants, latest is on the highest release, no rc reached the release index.
    assert data["drift"] == []
    assert 'id="drift"' in html
