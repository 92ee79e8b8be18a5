"""`rehearse final` on the example service, end to end on the local stand-ins and a real engine:
the rc lane with its E2E gate, then the PyPI lane (candidate checks, the pre-publish E2E, the
upload, validation from the local PyPI, the images, the post-publish E2E). None may be skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from release.containers.engine import LABEL, Engine
from tests.integration.examples import NOTES

LANE = [
    ("testpypi", "version_check"), ("testpypi", "build"), ("testpypi", "upload_testpypi"),
    ("testpypi", "validate_rc"), ("testpypi", "e2e_rc"),
    ("pypi", "version_check"), ("pypi", "build"), ("pypi", "candidate_checks"),
    ("pypi", "e2e_prepublish"), ("pypi", "upload_pypi"), ("pypi", "validate_final"),
    ("pypi", "images"), ("pypi", "e2e_postpublish"),
]  # fmt: skip


def test_the_final_rehearsal_of_the_example_passes_every_stage(
    engine: Engine, tmp_path: Path
) -> None:
    root = Path(
        shutil.copytree(NOTES, tmp_path / "notes-service", ignore=shutil.ignore_patterns(".venv"))
    )
    pyproject = root / "pyproject.toml"  # one Python is enough here: the cells are tested elsewhere
    pyproject.write_text(pyproject.read_text().replace('"3.11", "3.12", "3.13"', '"3.12"'))
    report = tmp_path / "report.json"
    env = {**os.environ, "DOCKER_HOST": engine.host}
    env.pop("UV_OFFLINE", None)
    argv = [sys.executable, "-m", "release", "-q", "rehearse", "final", "--project", str(root)]
    done = subprocess.run(
        [*argv, "--report", str(report)], env=env, capture_output=True, text=True, check=False
    )
    data = json.loads(report.read_text())
    outcomes = data["outcomes"]
    assert done.returncode == 0, done.stdout + done.stderr
    # Each lane's build is in the report: the rc lane's under "rc", the PyPI lane's at the top.
    assert (data["rc"]["build"]["version"], data["build"]["version"]) == ("0.1.0rc1", "0.1.0")
    assert [(o["lane"], o["stage"]) for o in outcomes] == LANE
    assert {o["status"] for o in outcomes} == {"passed"}
    ours = engine.client.containers.list(all=True, filters={"label": LABEL}, sparse=True)
    left = [c.attrs["Labels"][LABEL] for c in ours]
    assert not [v for v in left if v.startswith(("images-", "e2e-"))]
