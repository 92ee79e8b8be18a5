"""rehearse --workflow on the example service (one Python): its release.yml under real act, the
rc tag's push and then the final's, on the stand-ins (devpi behind trusted publishing, the
registry, the engine). Every job of both lanes runs, the E2E stacks and the images included;
both indexes end with exactly the files each build job made, and the registry with the three
variants of the final, each carrying its wheel. (This also covers what `rehearse final`'s own
test did: every stage of both lanes on the example, none skipped.) Beside the example's E2E
tests, one that fails when a registry secret is in its environment: e2e_postpublish pulls the
published images in a step of its own, and the step running the project's tests holds none."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from release.containers.engine import LABEL, Engine
from tests.integration.examples import NOTES

RC_LANE = ["upload_testpypi", "validate_rc (3.12)", "e2e_rc"]
PYPI_LANE = ["candidate_checks (3.12)", "e2e_prepublish", "upload_pypi", "validate_final (3.12)",
             "images", "e2e_postpublish"]  # fmt: skip
# A project test the E2E verify step runs (the example's runs tests/e2e): the environment the
# project's own commands get, printed, with no registry secret in it.
PROBE = '''"""A verify step's environment, as the project's tests see it: no secret in it."""
import os

SECRETS = ("DOCKER_USERNAME", "DOCKER_PASSWORD", "GITHUB_TOKEN")


def test_the_environment_holds_no_registry_secret() -> None:
    print("environment:", " ".join(sorted(os.environ)))
    assert [name for name in SECRETS if name in os.environ] == []
'''


def one_python(root: Path) -> Path:
    """The example on Python 3.12 only (the cells are tested elsewhere)."""
    shutil.copytree(NOTES, root, ignore=shutil.ignore_patterns(".venv", ".staged-release"))
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"3.11", "3.12", "3.13"', '"3.12"'))
    (root / "tests" / "e2e" / "test_environment.py").write_text(PROBE)
    return root


def test_the_rc_push_then_the_final_push_release_through_the_workflow(
    engine: Engine, tmp_path: Path
) -> None:
    root = one_python(tmp_path / "service")
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
    assert [rc_jobs[n] for n in ["plan", "build", *RC_LANE]] == ["success"] * 5
    assert {rc_jobs[n] for n in ("candidate_checks", "upload_pypi", "images")} == {"skipped"}
    assert [final_jobs[n] for n in ["plan", "build", *PYPI_LANE]] == ["success"] * 8
    assert {final_jobs[n] for n in ("upload_testpypi", "validate_rc")} == {"skipped"}
    # e2e_postpublish passed (its verify step ran the probe above, which fails on a secret)
    # after the step that alone held the registry's password had pulled the published images
    post = next(j for j in final["jobs"] if j["name"] == "e2e_postpublish")
    assert "pulled raw: sha256:" in Path(post["log"]).read_text()
    # both uploads exchanged the job's identity for a token at the index's own front
    minted = [(e["index"], e["job"]) for e in data["exchanges"] if e["kind"] == "mint"]
    # (each twice: to prove the publisher, then right before twine runs)
    assert minted == [("testpypi", "upload_testpypi")] * 2 + [("pypi", "upload_pypi")] * 2
    assert [(rule["ok"], rule["rule"].split()[0]) for rule in data["audit"]] == [
        (True, "testpypi"), (True, "pypi"), (True, "the")
    ]  # fmt: skip
    assert "raw, nginx, granian tagged 0.1.0" in data["audit"][2]["rule"]
    # no job left a container of its images or E2E stages behind
    ours = engine.client.containers.list(all=True, filters={"label": LABEL}, sparse=True)
    left = [c.attrs["Labels"][LABEL] for c in ours]
    assert not [v for v in left if v.startswith(("images-", "e2e-"))]
    # the lane's last job: the tag's GitHub Release names each image tag with its digest
    assert final_jobs["github_release"] == "success"
    (release,) = data["github"]["releases"]
    for tag in ("0.1.0", "0.1.0-nginx", "0.1.0-granian"):
        assert f":{tag} | `sha256:" in release["body"], release["body"]
