"""Outcomes: the summary table, the run's exit code and the JSON report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from release.errors import CheckFailed, ConfigError, IntegrityError, ReleaseError
from release.outcomes import Outcome, Report, Status, timed

BUILD = Outcome("build", "-", Status.PASSED, 1.234)
CELL = Outcome("validate_rc", "3.12", Status.FAILED, 12.0, "check 'import' failed", 1)
SKIPPED = Outcome("e2e_rc", "-", Status.SKIPPED, 0.0, "an earlier stage failed")


def test_table_has_a_header_and_one_row_per_outcome() -> None:
    lines = Report("rehearsal", [BUILD, CELL, SKIPPED]).table().splitlines()
    assert lines[0].split() == ["stage", "cell", "status", "duration", "reason"]
    assert len(lines) == 4
    assert lines[1].split() == ["build", "-", "passed", "1.2", "s"]
    assert lines[2].split()[:5] == ["validate_rc", "3.12", "failed", "12.0", "s"]
    assert lines[2].endswith("check 'import' failed")
    assert lines[3].endswith("an earlier stage failed")


def test_table_columns_line_up() -> None:
    lines = Report("rehearsal", [BUILD, CELL, SKIPPED]).table().splitlines()
    for column in ("cell", "status", "duration"):
        at = lines[0].index(column)
        assert all(line[at - 2 : at] == "  " and line[at] != " " for line in lines)


def test_table_of_no_outcomes_is_the_header() -> None:
    assert Report("empty").table().split() == ["stage", "cell", "status", "duration", "reason"]


def test_table_rows_have_no_trailing_whitespace() -> None:
    lines = Report("rehearsal", [BUILD, CELL]).table().splitlines()
    assert [line.rstrip() for line in lines] == lines


EXIT_CODES = [
    ([], 0),
    ([BUILD], 0),
    ([BUILD, SKIPPED], 0),
    ([BUILD, CELL], 1),
    ([Outcome("version_check", "-", Status.FAILED, 0.1, "bad version", 2)], 2),
    ([CELL, Outcome("upload_testpypi", "-", Status.FAILED, 0.1, "no token", 2), CELL], 2),
]


@pytest.mark.parametrize(("outcomes", "code"), EXIT_CODES)
def test_exit_code(outcomes: list[Outcome], code: int) -> None:
    report = Report("run", list(outcomes))
    assert (report.exit_code, report.passed) == (code, code == 0)


def test_timed_records_a_passed_block() -> None:
    recorded: list[Outcome] = []
    with timed(recorded.append, "build"):
        pass
    [outcome] = recorded
    assert (outcome.stage, outcome.cell, outcome.status) == ("build", "-", Status.PASSED)
    assert (outcome.reason, outcome.exit_code) == ("", 0)


@pytest.mark.parametrize(
    ("error", "code"),
    [(CheckFailed("check 'tests' failed"), 1), (IntegrityError("sha differs"), 1),
     (ConfigError("bad config"), 2)],
)  # fmt: skip
def test_timed_records_a_failure_and_reraises_it(error: ReleaseError, code: int) -> None:
    recorded: list[Outcome] = []
    with pytest.raises(type(error)) as caught, timed(recorded.append, "validate_rc", "3.13"):
        raise error
    assert caught.value is error
    [outcome] = recorded
    assert (outcome.stage, outcome.cell, outcome.status) == ("validate_rc", "3.13", Status.FAILED)
    assert (outcome.reason, outcome.exit_code) == (error.message, code)
    assert Report("run", recorded).exit_code == code


def test_write_gives_json_with_passed_facts_and_outcomes(tmp_path: Path) -> None:
    report = Report("rehearsal", [BUILD, CELL], {"version": "1.4.0rc1"})
    target = tmp_path / "reports" / "rehearsal.json"
    report.write(target)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert (data["title"], data["passed"], data["version"]) == ("rehearsal", False, "1.4.0rc1")
    assert [o["stage"] for o in data["outcomes"]] == ["build", "validate_rc"]
    assert data["outcomes"][1] == {
        "stage": "validate_rc",
        "cell": "3.12",
        "status": "failed",
        "duration": 12.0,
        "reason": "check 'import' failed",
        "exit_code": 1,
    }


def test_write_of_a_green_run(tmp_path: Path) -> None:
    Report("rehearsal", [BUILD]).write(tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["passed"] is True
    assert data["outcomes"][0]["status"] == "passed"
