"""Upload against a real non-volatile devpi: resume, refusal with the next version, waiting."""

from __future__ import annotations

import dataclasses
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from release.artifacts.manifest import Manifest
from release.context import Run
from release.core import runner
from release.core.errors import ConsumedVersion, NotYetListed, VersionRuleError
from release.core.progress import Progress
from release.index.profiles import LocalEndpoints
from release.upload._listing import wait_until_listed
from release.upload.stage import upload
from tests.conftest import git_tag
from tests.integration.conftest import build_at, make_run, unique


def _twine(files: list[Path], url: str) -> None:
    argv = [sys.executable, "-m", "twine", "upload", "--non-interactive", "--repository-url", url]
    runner.run([*argv, *map(str, files)], env={"TWINE_USERNAME": "a", "TWINE_PASSWORD": "-"})


def _candidate(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> tuple[Manifest, Run]:
    """A freshly built 1.0.0rc1 of a project no other test uses, and a run for it."""
    built = build_at(tmp_path / "p", unique("sr-app"), "1.0.0rc1")
    return built, make_run(tmp_path / "p", stand_ins, http, tmp_path / "state")


def test_upload_lists_every_file_then_an_identical_rerun_sends_nothing(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    built, run = _candidate(stand_ins, http, tmp_path)
    name = built.name
    first = upload(run, "testpypi")
    listed = {f.filename: f.sha256 for f in run.listing(run.index("testpypi"), name)}
    again = upload(run, "testpypi")
    assert sorted(first.sent) == sorted(f.filename for f in built.files)
    assert listed == {f.filename: f.sha256 for f in built.files}
    assert again.sent == ()
    assert sorted(again.already) == sorted(first.sent)
    # A stand-in takes anonymous uploads: no trusted publishing, no attestations, and why.
    assert first.credential == "the local stand-in (anonymous)"
    assert first.attestations == "skipped: a local stand-in index takes no attestations"


def test_a_partial_upload_resumes_with_the_missing_file_only(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    built, run = _candidate(stand_ins, http, tmp_path)
    _twine([run.dist / built.wheel.filename], str(run.index("testpypi").upload_url))
    resumed = upload(run, "testpypi")
    assert resumed.already == (built.wheel.filename,)
    assert resumed.sent == tuple(f.filename for f in built.files if f != built.wheel)


def test_different_bytes_are_refused_and_the_next_free_rc_is_named(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    name = unique("sr-app")
    first = build_at(tmp_path / "a", name, "1.0.0rc1", body="A = 1")
    upload(make_run(tmp_path / "a", stand_ins, http, tmp_path / "state"), "testpypi")
    build_at(tmp_path / "b", name, "1.0.0rc1", body="A = 2")
    git_tag(tmp_path / "b", "v1.0.0rc1", "v1.0.0rc2")  # rc2 is consumed by a tag
    run = make_run(tmp_path / "b", stand_ins, http, tmp_path / "state")
    with pytest.raises(ConsumedVersion) as caught:
        upload(run, "testpypi")
    assert caught.value.exit_code == 2
    assert "tag v1.0.0rc3 instead" in str(caught.value.hint)
    assert "nox -s bump -- rc" in str(caught.value.hint)
    listed = {f.filename: f.sha256 for f in run.listing(run.index("testpypi"), name)}
    assert listed == {f.filename: f.sha256 for f in first.files}  # nothing of b was sent


def test_a_version_on_the_release_index_counts_as_consumed_too(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    name = unique("sr-app")
    build_at(tmp_path / "rc3", name, "1.0.0rc3")
    upload(make_run(tmp_path / "rc3", stand_ins, http, tmp_path / "s"), "pypi")
    build_at(tmp_path / "a", name, "1.0.0rc1", body="A = 1")
    upload(make_run(tmp_path / "a", stand_ins, http, tmp_path / "s"), "testpypi")
    build_at(tmp_path / "b", name, "1.0.0rc1", body="A = 2")
    with pytest.raises(ConsumedVersion, match="different files") as caught:
        upload(make_run(tmp_path / "b", stand_ins, http, tmp_path / "s"), "testpypi")
    assert "tag v1.0.0rc4 instead" in str(caught.value.hint)


def test_a_final_needs_an_rc_on_the_staging_index_unless_overridden(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    name = unique("sr-app")
    build_at(tmp_path / "p", name, "2.0.0")
    run = make_run(tmp_path / "p", stand_ins, http, tmp_path / "state")
    with pytest.raises(VersionRuleError, match="no release candidate"):
        upload(run, "pypi")
    assert run.listing(run.index("pypi"), name) == []
    warnings: list[str] = []
    loud = dataclasses.replace(run, progress=Progress(warnings.append, background=False))
    assert upload(loud, "pypi", allow_final_without_rc=True).sent
    assert any("WARNING" in w and "override" in w for w in warnings)


def test_a_file_that_appears_late_is_waited_for(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    built, run = _candidate(stand_ins, http, tmp_path)
    name = built.name
    index = run.index("testpypi")
    files = [run.dist / f.filename for f in built.files]
    late = threading.Thread(target=lambda: (time.sleep(1.5), _twine(files, str(index.upload_url))))
    messages: list[str] = []
    late.start()
    try:
        wait_until_listed(
            lambda: run.listing(index, name), built, where=index.name, budget=120,
            progress=messages.append,
        )  # fmt: skip
    finally:
        late.join()
    assert messages
    assert all("waiting for local testpypi" in m for m in messages)
    assert {f.filename for f in run.listing(index, name)} == {f.filename for f in built.files}


def test_waiting_ends_with_a_clear_error_when_the_budget_is_spent(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    built, run = _candidate(stand_ins, http, tmp_path)
    name = built.name
    index = run.index("testpypi")
    with pytest.raises(NotYetListed, match=r"did not list .* within 1 s") as caught:
        wait_until_listed(
            lambda: run.listing(index, name), built, where=index.name, budget=1,
            progress=lambda _: None,
        )  # fmt: skip
    assert caught.value.exit_code == 1
