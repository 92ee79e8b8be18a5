"""Outcomes: the summary table, the run's exit code and the JSON report."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from release.core.errors import (
    CheckFailed,
    CommandFailed,
    ConfigError,
    IntegrityError,
    Interrupted,
    ReleaseError,
)
from release.core.verdicts import CheckOutcome, CheckStatus
from release.pipeline.outcomes import LOAD_FLAKY, Outcome, Report, Status, attempt, ran_alone

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


def test_attempt_records_a_passed_block_and_returns_its_result() -> None:
    outcome, result = attempt("build", "-", lambda: 42)
    assert (outcome.stage, outcome.cell, outcome.status) == ("build", "-", Status.PASSED)
    assert (outcome.reason, outcome.exit_code, result) == ("", 0, 42)


def _raise(error: ReleaseError) -> None:
    raise error


@pytest.mark.parametrize(
    ("error", "code"),
    [(CheckFailed("check 'tests' failed"), 1), (IntegrityError("sha differs"), 1),
     (ConfigError("bad config"), 2)],
)  # fmt: skip
def test_attempt_records_a_failure(error: ReleaseError, code: int) -> None:
    outcome, result = attempt("validate_rc", "3.13", lambda: _raise(error))
    assert (outcome.stage, outcome.cell, outcome.status) == ("validate_rc", "3.13", Status.FAILED)
    assert (outcome.reason, outcome.exit_code, result) == (error.message, code, None)
    assert Report("run", [outcome]).exit_code == code


def test_attempt_records_an_interruption_with_the_signal_exit_code() -> None:
    outcome, _ = attempt("validate_rc", "3.12", lambda: _raise(Interrupted(signal.SIGTERM)))
    assert (outcome.status, outcome.exit_code) == (Status.INTERRUPTED, 143)
    assert outcome.reason == "interrupted by SIGTERM"
    assert Report("run", [BUILD, outcome]).exit_code == 143


def test_a_failed_cell_keeps_its_checks_and_the_failing_log() -> None:
    checks = (
        CheckOutcome("compile", CheckStatus.PASSED, 0.5, "/l/compile.log"),
        CheckOutcome("tests", CheckStatus.TIMED_OUT, 5.0, "/l/tests.log", "budget"),
    )
    error = CheckFailed("\x1b[31mcheck 'tests' timed out\x1b[0m", log="/l/tests.log", checks=checks)
    outcome, _ = attempt("validate_rc", "3.11", lambda: _raise(error))
    assert (outcome.checks, outcome.log) == (checks, "/l/tests.log")
    assert outcome.reason == "check 'tests' timed out"  # no terminal colour codes
    assert Report("r", [outcome]).table().splitlines()[1].endswith("(log: /l/tests.log)")


def test_a_passed_cell_says_which_checks_ran_elsewhere() -> None:
    pinned = "runs on Python 3.13 only"
    checks = (
        CheckOutcome("compile", CheckStatus.PASSED, 0.5, "/l/compile.log"),
        CheckOutcome("ruff", CheckStatus.SKIPPED, 0.0, "", pinned),
        CheckOutcome("mypy", CheckStatus.SKIPPED, 0.0, "", pinned),
    )
    cell = Outcome("validate_rc", "3.11", Status.PASSED, 3.0, checks=checks)
    row = Report("r", [cell]).table().splitlines()[1]
    assert row.endswith("ruff, mypy skipped: runs on Python 3.13 only")
    assert cell.reason == ""  # the report's reason stays a failure's


def test_a_failed_environment_step_names_its_log() -> None:
    error = CommandFailed(["uv", "pip", "install"], 1, "no wheels", Path("/l/environment.log"))
    outcome, _ = attempt("validate_rc", "3.12", lambda: _raise(error))
    assert (outcome.log, outcome.hint) == (
        "/l/environment.log",
        "its whole output is in /l/environment.log",
    )
    assert Report("r", [outcome]).table().splitlines()[1].endswith("(log: /l/environment.log)")


def test_an_interrupted_report_exits_with_128_plus_the_signal() -> None:
    report = Report("run", [BUILD, SKIPPED], interrupted=signal.SIGINT)
    assert (report.exit_code, report.passed) == (130, False)


def test_the_table_shortens_a_long_reason_to_one_line() -> None:
    long = Outcome("build", "-", Status.FAILED, 1.0, "x" * 500 + "\nsecond line", 1)
    row = Report("r", [long]).table().splitlines()[1]
    assert len(row) < 200
    assert row.endswith("…")


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
        "log": "",
        "checks": [],
        "hint": "",
        "lane": "",
        "beside": None,
    }


def test_write_of_a_green_run(tmp_path: Path) -> None:
    Report("rehearsal", [BUILD]).write(tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["passed"] is True
    assert data["outcomes"][0]["status"] == "passed"


def test_write_names_the_signal_of_an_interrupted_run(tmp_path: Path) -> None:
    Report("rehearsal", [BUILD], interrupted=signal.SIGTERM).write(tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert (data["passed"], data["interrupted"]) == (False, "SIGTERM")


def test_a_cell_that_failed_beside_others_and_passed_alone_passes_saying_so() -> None:
    solo = Outcome("validate_rc", "3.12", Status.PASSED, 9.0)
    verdict = ran_alone(CELL, solo)
    assert (verdict.status, verdict.reason, verdict.beside) == (Status.PASSED, LOAD_FLAKY, CELL)
    report = Report("rehearsal", [BUILD, verdict])
    assert report.exit_code == 0
    rows = [line.split(None, 5) for line in report.table().splitlines()[2:]]
    assert rows[0][:3] == ["validate_rc", "3.12", "passed"]
    assert rows[0][-1].endswith("failed beside other cells, passed alone")
    assert rows[1][:5] == ["validate_rc", "(beside", "other", "cells)", "3.12"]
    assert rows[1][-1].endswith("check 'import' failed")


def test_a_cell_that_fails_alone_too_keeps_the_solo_runs_failure() -> None:
    solo = Outcome("validate_rc", "3.12", Status.FAILED, 9.0, "check 'tests' failed", 1)
    verdict = ran_alone(CELL, solo)
    assert (verdict.status, verdict.reason) == (Status.FAILED, "check 'tests' failed")
    assert Report("rehearsal", [verdict]).exit_code == 1


def test_a_check_that_left_processes_running_says_so_in_the_table() -> None:
    left = ("python -m http.server", "sleep 600")
    checks = (CheckOutcome("tests", CheckStatus.PASSED, 2.0, "/l/tests.log", "", left),)
    cell = Outcome("validate_rc", "3.12", Status.PASSED, 3.0, checks=checks)
    row = Report("r", [cell]).table().splitlines()[1]
    assert row.endswith("tests left 2 processes running, stopped: python -m http.server; sleep 600")
