"""The rc rehearsal end to end, through the CLI, on a small project."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import cli
from tests.integration.conftest import unique, write_project


def snapshot(root: Path) -> dict[str, str]:
    """Every file of the working tree (the suite's own directory aside) and its hash."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".staged-release" not in p.parts
    }


def test_the_rehearsal_runs_the_rc_lane_and_leaves_the_tree_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = write_project(tmp_path / "p", unique("sr-app"), "1.0.0rc1")
    before = snapshot(root)
    report = tmp_path / "report.json"
    code, out, _ = cli(
        capsys, "rehearse", "rc", "--project", str(root), "--report", str(report),
        "--dependency-index", "local",
    )  # fmt: skip
    data = json.loads(report.read_text())
    rows = [(o["stage"], o["cell"], o["status"]) for o in data["outcomes"]]
    assert code == 0
    assert rows == [
        ("version_check", "-", "passed"),
        ("build", "-", "passed"),
        ("upload_testpypi", "-", "passed"),
        ("validate_rc", "3.11", "passed"),
        ("validate_rc", "3.12", "passed"),
        ("validate_rc", "3.13", "passed"),
        ("e2e_rc", "-", "skipped"),
    ]
    assert out.splitlines()[0].split() == ["stage", "cell", "status", "duration", "reason"]
    assert snapshot(root) == before


def test_a_rehearsal_of_a_final_version_is_refused_and_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = write_project(tmp_path / "p", unique("sr-app"), "1.0.0")
    report = tmp_path / "report.json"
    code, out, _ = cli(capsys, "rehearse", "rc", "--project", str(root), "--report", str(report))
    data = json.loads(report.read_text())
    assert code == 2
    assert data["passed"] is False
    assert data["outcomes"][0]["stage"] == "version_check"
    assert "never go to the TestPyPI lane" in data["outcomes"][0]["reason"]
    assert "version_check" in out
    assert all(o["status"] == "skipped" for o in data["outcomes"][1:])
