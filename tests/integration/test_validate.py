"""Reinstall validation from a real index into fresh environments on every Python."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from release.config.project import DEFAULT_PYTHONS
from release.core.errors import CheckFailed, IntegrityError
from release.core.verdicts import CheckStatus
from release.index.profiles import LocalEndpoints
from release.upload.stage import upload
from release.validation import results
from release.validation.validate import expected_build, from_dist, validate
from tests.integration.conftest import build_at, make_run, unique


@dataclass(frozen=True)
class Published:
    root: Path
    name: str
    dependency: str


@pytest.fixture(scope="module")
def published(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path_factory: pytest.TempPathFactory
) -> Published:
    """An rc on the staging index that needs a dependency: 1.0 on the release index, and a
    higher FINAL 9.0.0 planted on the staging index, where no dependency may ever come from.
    (Anyone can upload a final to TestPyPI; a planted pre-release would prove nothing, since a
    resolver skips pre-releases anyway.)"""
    base = tmp_path_factory.mktemp("published")
    dependency, app = unique("sr-dep"), unique("sr-app")
    for version, index in (("1.0.0.post1", "pypi"), ("9.0.0", "testpypi")):
        build_at(base / version, dependency, version)
        upload(make_run(base / version, stand_ins, http, base / "s"), index)
    module = dependency.replace("-", "_")
    build_at(
        base / "app", app, "1.0.0rc1", requires=(f"{dependency}>=1.0",), body=f"import {module}"
    )
    upload(make_run(base / "app", stand_ins, http, base / "s"), "testpypi")
    return Published(base / "app", app, dependency)


def _installed(state: Path, cell: str, distribution: str) -> str:
    python = state / "cells" / cell / "venv" / "bin" / "python"
    code = f"import importlib.metadata as m; print(m.version({distribution!r}))"
    return subprocess.run(
        [python, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.parametrize("python", DEFAULT_PYTHONS)
def test_the_rc_reinstalls_from_the_index_on_each_python(
    published: Published, stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path, python: str
) -> None:
    run = make_run(published.root, stand_ins, http, tmp_path)
    result = validate(run, "validate_rc", "testpypi", python)
    assert [(c.name, c.status) for c in result.checks] == [
        ("compile", CheckStatus.PASSED),
        ("import", CheckStatus.PASSED),
    ]
    assert _installed(tmp_path, f"validate_rc-{python}", published.name) == "1.0.0rc1"
    sha256 = expected_build(run).manifest.wheel.sha256  # type: ignore[union-attr]
    assert results.passed_pythons(tmp_path, "validate_rc", sha256, "1.0.0rc1") == {python}
    # 9.0.0 on the staging index is higher, a final, and was never installed: dependencies
    # come from the trusted index only.
    assert _installed(tmp_path, f"validate_rc-{python}", published.dependency) == "1.0.0.post1"


def test_without_a_local_build_the_hash_the_index_lists_is_trusted(
    published: Published, stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    checkout = tmp_path / "checkout"
    shutil.copytree(published.root, checkout, ignore=shutil.ignore_patterns("dist"))
    run = make_run(checkout, stand_ins, http, tmp_path / "state")
    assert validate(run, "validate_rc", "testpypi", DEFAULT_PYTHONS[0]).wheel.startswith(
        published.name.replace("-", "_")
    )


def test_an_index_file_that_differs_from_the_manifest_fails_validation(
    published: Published, stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    rebuilt = tmp_path / "rebuilt"
    build_at(
        rebuilt,
        published.name,
        "1.0.0rc1",
        requires=(f"{published.dependency}>=1.0",),
        body="B = 2",
    )
    run = make_run(rebuilt, stand_ins, http, tmp_path / "state")
    with pytest.raises(IntegrityError, match="but the manifest says") as caught:
        validate(run, "validate_rc", "testpypi", DEFAULT_PYTHONS[0])
    assert caught.value.exit_code == 1
    assert not (tmp_path / "state" / "cells").exists()  # nothing was installed


def test_a_failing_configured_check_fails_the_cell(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    name = unique("sr-app")
    extra = '\n[tool.staged-release.check.fails]\nrun = ["{python}", "-c", "raise SystemExit(3)"]\n'
    build_at(tmp_path / "p", name, "1.0.0rc1", checks=("compile", "fails"), extra=extra)
    run = make_run(tmp_path / "p", stand_ins, http, tmp_path / "state")
    upload(run, "testpypi")
    with pytest.raises(CheckFailed, match="check 'fails' failed") as caught:
        validate(run, "validate_rc", "testpypi", DEFAULT_PYTHONS[0])
    log = tmp_path / "state" / "logs" / f"validate_rc-{DEFAULT_PYTHONS[0]}" / "fails.log"
    assert caught.value.log == str(log)
    assert "raise SystemExit(3)" in log.read_text()
    sha256 = expected_build(run).manifest.wheel.sha256  # type: ignore[union-attr]
    assert results.passed_pythons(tmp_path / "state", "validate_rc", sha256, "1.0.0rc1") == set()
    assert results.path_of(tmp_path / "state", "validate_rc", DEFAULT_PYTHONS[0]).exists()
    statuses = [(c.name, c.status) for c in caught.value.checks]
    assert statuses == [("compile", CheckStatus.PASSED), ("fails", CheckStatus.FAILED)]


def test_candidate_checks_install_the_built_wheel_before_any_upload(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    name = unique("sr-app")
    built = build_at(tmp_path / "p", name, "2.0.0")  # a final: nothing of it is on any index
    run = make_run(tmp_path / "p", stand_ins, http, tmp_path / "state")
    result = from_dist(run, "candidate_checks", DEFAULT_PYTHONS[0])
    assert (result.stage, result.wheel) == ("candidate_checks", built.wheel.filename)
    assert [c.status for c in result.checks] == [CheckStatus.PASSED, CheckStatus.PASSED]
    state = tmp_path / "state"
    assert results.passed_pythons(state, "candidate_checks", built.wheel.sha256, "2.0.0") == {
        DEFAULT_PYTHONS[0]
    }
    assert run.listing(run.index("pypi"), name) == []  # and nothing was uploaded


def test_candidate_checks_refuse_a_wheel_changed_after_the_build(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    built = build_at(tmp_path / "p", unique("sr-app"), "2.0.0")
    with (tmp_path / "p" / "dist" / built.wheel.filename).open("ab") as wheel:
        wheel.write(b"\0")
    run = make_run(tmp_path / "p", stand_ins, http, tmp_path / "state")
    with pytest.raises(IntegrityError, match="changed after it was built"):
        from_dist(run, "candidate_checks", DEFAULT_PYTHONS[0])
