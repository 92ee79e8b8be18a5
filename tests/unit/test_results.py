"""Validation results kept on disk: only a pass for this very wheel and version counts."""

from __future__ import annotations

from pathlib import Path

from release.validation import results
from release.validation.results import CellRecord


def cell(
    python: str, *, sha256: str = "a" * 64, version: str = "1.0.0", passed: bool = True
) -> CellRecord:
    return CellRecord(
        "validate_final", python, "app", version, "app-1.0.0-py3-none-any.whl", sha256, passed
    )


def test_only_passes_for_this_wheel_and_version_count(tmp_path: Path) -> None:
    results.record(tmp_path, cell("3.11"))
    results.record(tmp_path, cell("3.12", passed=False))
    results.record(tmp_path, cell("3.13", sha256="b" * 64))
    results.record(tmp_path, CellRecord("validate_rc", "3.12", "app", "1.0.0", "w", "a" * 64, True))
    assert results.passed_pythons(tmp_path, "validate_final", "a" * 64, "1.0.0") == {"3.11"}
    assert results.passed_pythons(tmp_path, "validate_final", "a" * 64, "1.0.0.post1") == set()


def test_a_new_attempt_forgets_the_old_pass(tmp_path: Path) -> None:
    results.record(tmp_path, cell("3.11"))
    results.forget(tmp_path, "validate_final", "3.11")
    assert results.passed_pythons(tmp_path, "validate_final", "a" * 64, "1.0.0") == set()


def test_an_unreadable_record_proves_nothing(tmp_path: Path) -> None:
    results.record(tmp_path, cell("3.11"))
    results.path_of(tmp_path, "validate_final", "3.12").write_text("{not json")
    results.path_of(tmp_path, "validate_final", "3.13").write_text('{"stage": 1}')
    assert results.passed_pythons(tmp_path, "validate_final", "a" * 64, "1.0.0") == {"3.11"}
