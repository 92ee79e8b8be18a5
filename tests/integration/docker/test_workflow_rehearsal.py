"""rehearse --workflow with images: the small service's release.yml under real act, the rc
tag's push and then the final's, on the stand-ins (devpi behind trusted publishing, the
registry, the engine). Both indexes end with exactly the files each build job made, and the
registry with the three variants of the final, each carrying its wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from release.containers.engine import Engine
from tests.integration.docker.test_rehearse_machine import small_service

RC_LANE = ["upload_testpypi", "validate_rc (3.12)"]
PYPI_LANE = ["candidate_checks (3.12)", "upload_pypi", "validate_final (3.12)", "images"]


def test_the_rc_push_then_the_final_push_release_through_the_workflow(
    engine: Engine, tmp_path: Path
) -> None:
    root = small_service(tmp_path / "service")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAGED_RELEASE_")}
    env["DOCKER_HOST"] = engine.host
    suite = [sys.executable, "-m", "release", "-q"]
    subprocess.run([*suite, "workflow", "--project", str(root)], env=env, check=True)
    folder = tmp_path / "report"
    argv = [*suite, "rehearse", "--workflow", "--project", str(root), "--report-dir", str(folder)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((folder / "report.json").read_text())
    rc, final = data["events"]
    assert (rc["label"], final["label"]) == ("push of v0.1.0rc1", "push of v0.1.0")
    rc_jobs = {j["name"]: j["status"] for j in rc["jobs"]}
    final_jobs = {j["name"]: j["status"] for j in final["jobs"]}
    assert [rc_jobs[n] for n in ["plan", "build", *RC_LANE]] == ["success"] * 4
    assert {rc_jobs[n] for n in ("candidate_checks", "upload_pypi", "images")} == {"skipped"}
    assert [final_jobs[n] for n in ["plan", "build", *PYPI_LANE]] == ["success"] * 6
    assert {final_jobs[n] for n in ("upload_testpypi", "validate_rc")} == {"skipped"}
    # both uploads exchanged the job's identity for a token at the index's own front
    minted = [(e["index"], e["job"]) for e in data["exchanges"] if e["kind"] == "mint"]
    assert minted == [("testpypi", "upload_testpypi"), ("pypi", "upload_pypi")]
    assert [(rule["ok"], rule["rule"].split()[0]) for rule in data["audit"]] == [
        (True, "testpypi"), (True, "pypi"), (True, "the")
    ]  # fmt: skip
    assert "raw, nginx, granian tagged 0.1.0" in data["audit"][2]["rule"]
