"""The rc rehearsal end to end, through the CLI, on a small project."""

from __future__ import annotations

import hashlib
import json
import subprocess
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


# Last on 3.11: with all cells at once, 3.11's check waits until the other cells' have said they
# ran (a file each), so 3.11 finishes last, yet the report lists it first.
LAST_ON_311 = """
import sys, time
from pathlib import Path

said = Path(sys.argv[1])
if sys.version_info >= (3, 12):
    (said / f"ran-{sys.version_info[1]}").touch()
    raise SystemExit(0)
deadline = time.monotonic() + 300
while len(list(said.glob("ran-*"))) < 2:
    if time.monotonic() > deadline:
        raise SystemExit("the other cells' checks never ran beside this one")
    time.sleep(0.05)
"""


def last_on_311(folder: Path) -> str:
    """The check's table, its script and the folder it says through written in `folder`."""
    (folder / "said").mkdir(parents=True)
    (folder / "last_on_311.py").write_text(LAST_ON_311)
    script, said = folder / "last_on_311.py", folder / "said"
    return f"""
[tool.staged-release.check.last-on-311]
run = ["{{python}}", "{script}", "{said}"]
"""


def test_the_rehearsal_runs_the_rc_lane_and_leaves_the_tree_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    checks = ("compile", "import", "last-on-311")
    extra = last_on_311(tmp_path / "last")
    root = write_project(tmp_path / "p", unique("sr-app"), "1.0.0rc1", checks=checks, extra=extra)
    before = snapshot(root)
    report = tmp_path / "report.json"
    code, out, _ = cli(
        capsys, "rehearse", "rc", "--project", str(root), "--report", str(report),
        "--dependency-index", "local", "--jobs", "3", "--report-dir", str(tmp_path / "report"),
    )  # fmt: skip
    data = json.loads(report.read_text())
    # --report-dir: the lane's path through the release state machine, in the three files
    path = json.loads((tmp_path / "report" / "report.json").read_text())["path"]
    assert [(v["state"], v["version"], v["status"]) for v in path] == [
        ("rc_tag", "1.0.0rc1", "passed"), ("rc_upload", "1.0.0rc1", "passed"),
        ("rc_validation", "1.0.0rc1", "passed"), ("rc_checks", "1.0.0rc1", "passed"),
        ("rc_e2e", "1.0.0rc1", "skipped"),
    ]  # fmt: skip
    assert "```mermaid" in (tmp_path / "report" / "report.md").read_text()
    assert "<svg" in (tmp_path / "report" / "report.html").read_text()
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
    assert [row.split()[:2] for row in out.splitlines()[4:7]] == [
        ["validate_rc", "3.11"], ["validate_rc", "3.12"], ["validate_rc", "3.13"]
    ]  # fmt: skip
    cell = data["outcomes"][3]
    assert [(c["name"], c["status"]) for c in cell["checks"]] == [
        ("compile", "passed"), ("import", "passed"), ("last-on-311", "passed")
    ]  # fmt: skip
    logs = root / ".staged-release" / "logs" / "validate_rc-3.11"
    assert [c["log"] for c in cell["checks"]] == [str(logs / f"{c}.log") for c in checks]
    assert all(Path(c["log"]).is_file() for c in cell["checks"])
    assert snapshot(root) == before
    assert _untracked(root) == [
        "pyproject.toml",
        "src/",
        "uv.lock",
    ]  # .staged-release ignores itself


def _untracked(root: Path) -> list[str]:
    """What `git status` would list as new if the project were a repository from now on."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    status = ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=normal"]
    listed = subprocess.run(status, check=True, capture_output=True, text=True).stdout
    return sorted(line.removeprefix("?? ") for line in listed.splitlines())


def test_a_check_over_its_budget_fails_the_cell_in_about_the_budget(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    hangs = """
[tool.staged-release.check.hangs]
run = ["{python}", "-c", "import time; time.sleep(600)"]
"""
    root = write_project(
        tmp_path / "p", unique("sr-app"), "1.0.0rc1", checks=("hangs", "compile"),
        extra='pythons = ["3.12", "3.99"]\n' + hangs,
    )  # fmt: skip
    report = tmp_path / "report.json"
    code, out, _ = cli(
        capsys, "rehearse", "rc", "--project", str(root), "--report", str(report),
        "--dependency-index", "local", "--check-timeout", "2",
    )  # fmt: skip
    outcomes = json.loads(report.read_text())["outcomes"]
    cell, missing = outcomes[3], outcomes[4]
    # A Python this machine lacks is skipped by a rehearsal, saying so (a CI cell would fail).
    assert (missing["cell"], missing["status"]) == ("3.99", "skipped")
    assert missing["reason"].startswith("Python 3.99 is not installed here")
    assert code == 1
    assert (cell["stage"], cell["cell"], cell["status"]) == ("validate_rc", "3.12", "failed")
    assert cell["reason"].startswith("check 'hangs' exceeded its time budget of 2 s")
    hung, compiled = cell["checks"]
    assert (hung["status"], compiled["status"]) == ("timed out", "passed")  # the others still ran
    assert cell["log"] == hung["log"]
    assert hung["log"] in out  # the failing check's log is shown with the error


def test_a_rehearsal_of_a_final_version_is_refused_and_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = write_project(tmp_path / "p", unique("sr-app"), "1.0.0")
    report = tmp_path / "report.json"
    code, out, _ = cli(capsys, "rehearse", "rc", "--project", str(root), "--report", str(report))
    data = json.loads(report.read_text())
    assert code == 2
    assert data["passed"] is False
    first, *rest = data["outcomes"]
    assert (first["stage"], first["status"]) == ("version_check", "failed")
    assert "never go to the TestPyPI lane" in first["reason"]
    assert "version_check" in out
    # every later stage of the rc lane is listed, once, as skipped for that reason
    assert [(o["stage"], o["cell"], o["status"], o["reason"]) for o in rest] == [
        (stage, "-", "skipped", "an earlier stage failed")
        for stage in ("build", "upload_testpypi", "validate_rc", "e2e_rc")
    ]
