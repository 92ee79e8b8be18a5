"""Cells side by side, as on a crowded machine, through one rc rehearsal of
tests/projects/beside-lock: a cell whose test fails only while another cell runs it is run again
alone, and its verdict is the solo run's; a child a test started in a session of its own is
stopped when the check's command exits, and the check's log and the report say so."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import PROJECTS, cli
from tests.integration.conftest import processes, unique


def test_a_cell_failing_only_beside_another_passes_alone_and_nothing_outlives_its_tests(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = Path(shutil.copytree(PROJECTS / "beside-lock", tmp_path / "beside-lock"))
    meeting = tmp_path / unique("meeting")  # its name marks the child the tests leave
    meeting.mkdir()
    os.mkfifo(meeting / "tried")
    monkeypatch.setenv("BESIDE_LOCK_DIR", str(meeting))
    report = tmp_path / "report.json"
    code, out, _ = cli(
        capsys, "rehearse", "rc", "--project", str(root), "--report", str(report), "--jobs", "2",
        "--report-dir", str(tmp_path / "report"),
    )  # fmt: skip
    cells = [o for o in json.loads(report.read_text())["outcomes"] if o["stage"] == "validate_rc"]
    assert code == 0, out
    # Side by side, exactly one cell found the lock held; alone it passed, and that is its verdict.
    crowded = [o for o in cells if o["beside"]]
    assert len(crowded) == 1, out
    again, other = crowded[0], next(o for o in cells if not o["beside"])
    assert (again["status"], again["reason"]) == (
        "passed",
        "failed beside other cells, passed alone",
    )
    assert (again["beside"]["status"], other["status"]) == ("failed", "passed")
    first_tests = again["beside"]["checks"][0]
    assert first_tests["status"] == "failed"
    assert "another cell holds the lock" in Path(first_tests["log"]).read_text()
    solo_tests = again["checks"][0]
    assert "/logs/alone/validate_rc-" in solo_tests["log"]  # the first run's log stays
    assert "(beside other cells)" in out
    md = (tmp_path / "report" / "report.md").read_text()
    assert f" validate_rc-{again['cell']}**: alone passed (the verdict)" in md
    # Each of the three runs of the tests left one child running; each was stopped and named.
    runs = [other["checks"][0], first_tests, solo_tests]
    for tests in runs:
        assert [c.rsplit(" ", 1)[-1] for c in tests["leftovers"]] == [f"left-behind-{meeting.name}"]
        assert "1 process still running when the command ended" in Path(tests["log"]).read_text()
    assert processes(lambda argv: f"left-behind-{meeting.name}".encode() in argv) == []
