"""The workflow rehearsal's pure parts: what act's JSON lines say of each job and cell, the
jobs it never started (skipped, with GitHub's reason), the events' payloads, the report."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from release.context import FAIL_AT_ENV, Options, rehearsed_failure
from release.core.errors import ConfigError
from release.index.profiles import Mode
from release.rehearsals.workflow import _act, jobs, report
from release.rehearsals.workflow.events import Event, Kind, Repository, payload

WORKFLOW = """
on:
  push:
    tags: [v*]
jobs:
  plan:
    runs-on: ubuntu-latest
    steps: [{run: echo}]
  final:
    needs: plan
    if: needs.plan.outputs.target == 'pypi'
    environment: {name: pypi}
    permissions: {contents: read, id-token: write}
    steps: [{run: echo}]
  cell:
    needs: [plan]
    environment: testpypi
    steps: [{run: echo}]
  after:
    needs: [cell]
    steps: [{run: echo}]
  after_final:
    needs: [final]
    steps: [{run: echo}]
"""


def _line(job: str, matrix: dict[str, str], **fields: Any) -> str:
    return json.dumps({"jobID": job, "matrix": matrix, "time": "2026-12-03T07:30:00Z", **fields})


ACT = [
    json.dumps({"level": "warning", "msg": "no docker"}),  # no job: ignored
    _line("plan", {}, msg="⭐ Run Set up job", step="Set up job"),
    _line("plan", {}, msg="hello\n", raw_output=True),
    _line("plan", {}, msg="  ⚙  Summary - ## plan: testpypi\n"),
    _line("plan", {}, msg="🏁  Job succeeded", jobResult="success", time="2026-12-03T07:30:04Z"),
    _line("cell", {"python": "3.12"}, msg="run", step="nox -s validate_rc-PY"),
    _line("cell", {"python": "3.11"}, msg="run", step="nox -s validate_rc-PY"),
    _line(
        "cell",
        {"python": "3.12"},
        msg="  ❌  Failure",
        step="nox -s validate_rc-PY",
        stepResult="failure",
    ),
    # act reports the whole job's result on every cell's closing line: 3.11 passed all the same
    _line("cell", {"python": "3.11"}, msg="🏁  Job failed", jobResult="failure"),
    _line("cell", {"python": "3.12"}, msg="🏁  Job failed", jobResult="failure"),
    "not json at all",
]


def test_each_cell_is_judged_by_its_own_steps() -> None:
    runs = {run.name: run for run in jobs.parse_events(ACT)}
    assert list(runs) == ["plan", "cell (3.12)", "cell (3.11)"]
    assert runs["plan"].status == jobs.PASSED
    assert runs["plan"].lines == ["hello"]
    assert runs["plan"].summary == ["## plan: testpypi"]
    assert runs["plan"].seconds == pytest.approx(4.0)
    assert (runs["cell (3.12)"].status, runs["cell (3.12)"].failed_step) == (
        jobs.FAILED, "nox -s validate_rc-PY"
    )  # fmt: skip
    assert runs["cell (3.11)"].status == jobs.PASSED


def test_jobs_act_never_started_are_skipped_with_githubs_reason() -> None:
    listed = jobs.read_jobs(WORKFLOW, "release.yml")
    results = jobs.complete(listed, jobs.parse_events(ACT))
    by_name = {run.name: run for run in results}
    assert [run.name for run in results] == [
        "plan", "final", "cell (3.11)", "cell (3.12)", "after", "after_final"
    ]  # fmt: skip
    assert by_name["final"].why == "its condition was false: needs.plan.outputs.target == 'pypi'"
    assert by_name["after"].why == "needs cell, which failed"
    assert by_name["after_final"].why == "needs final, which was skipped"
    assert not jobs.verdict(results)
    assert jobs.verdict([r for r in results if r.job != "cell"])


def test_the_workflow_files_jobs_as_github_reads_them() -> None:
    final = jobs.read_jobs(WORKFLOW, "release.yml")[1]
    assert (final.needs, final.environment) == (("plan",), "pypi")
    assert final.permissions == {"contents": "read", "id-token": "write"}
    with pytest.raises(ConfigError, match="declares no jobs"):
        jobs.read_jobs("on: push\n", "release.yml")
    with pytest.raises(ConfigError, match="is not YAML"):
        jobs.read_jobs("jobs: [\n", "release.yml")


REPO = Repository("octo", "notes-service")


def test_a_tag_push_payload_names_the_tag_and_commit() -> None:
    body = payload(Event(Kind.PUSH, "v1.0.0rc1", "a" * 40), REPO, "me")
    assert (body["ref"], body["after"], body["created"]) == ("refs/tags/v1.0.0rc1", "a" * 40, True)
    assert body["repository"]["full_name"] == "octo/notes-service"


def test_a_release_payload_is_published_and_marks_a_prerelease() -> None:
    event = Event(Kind.PRERELEASE, "v1.0.0rc1", "b" * 40)
    body = payload(event, REPO, "me")
    assert event.act_name == "release"
    assert (body["action"], body["release"]["tag_name"], body["release"]["prerelease"]) == (
        "published", "v1.0.0rc1", True
    )  # fmt: skip
    final = payload(Event(Kind.RELEASE, "v1.0.0", "b" * 40), REPO, "me")
    assert final["release"]["prerelease"] is False


def test_a_dispatch_carries_its_inputs() -> None:
    event = Event(Kind.DISPATCH, "v1.0.0", "c" * 40, {"publish_target": "pypi"})
    assert payload(event, REPO, "me")["inputs"] == {"publish_target": "pypi"}


def _data(failed: bool) -> dict[str, Any]:
    cell = {"job": "validate_rc", "cell": "3.12", "name": "validate_rc (3.12)",
            "status": "failure" if failed else "success", "seconds": 3.0, "why": "",
            "failed_step": "nox -s validate_rc-PY", "summary": [], "log": "/x/validate_rc.log",
            "tail": ["boom <b>"], "reproduce": "nox -s validate_rc-3.12"}  # fmt: skip
    skipped = {**cell, "job": "e2e_rc", "cell": "", "name": "e2e_rc", "status": "skipped",
               "why": "needs validate_rc, which failed"}  # fmt: skip
    event = {"number": 1, "label": "push of v1.0.0rc1", "event": "push", "tag": "v1.0.0rc1",
             "sha": "d" * 40, "passed": not failed, "act_exit": int(failed), "seconds": 9.0,
             "jobs": [cell, skipped], "log": "/x/act.log"}  # fmt: skip
    return {"title": "rehearse --workflow", "passed": not failed, "exit_code": int(failed),
            "seconds": 9.5, "project": "p", "workflow": ".github/workflows/release.yml",
            "repository": "octo/p", "injected": "validate_rc:3.12" if failed else "",
            "events": [event], "audit": [{"rule": "r", "ok": True, "detail": "d"}],
            "exchanges": []}  # fmt: skip


def test_the_report_puts_the_failed_job_first_with_its_reproduction() -> None:
    data = _data(failed=True)
    page, text = report.html(data), report.markdown(data)
    assert page.index("Failures (1)") < page.index("Event 1")
    assert "nox -s validate_rc-3.12" in page
    assert "boom &lt;b&gt;" in page
    assert "## Failed: validate_rc (3.12) (push of v1.0.0rc1)" in text
    assert "needs validate_rc, which failed" in text
    assert "Failures" not in report.html(_data(failed=False))


def test_the_report_page_links_nothing() -> None:
    links: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, _tag: str, attrs: list[tuple[str, str | None]]) -> None:
            links.extend(v or "" for k, v in attrs if k in ("src", "href"))

    Links().feed(report.html(_data(failed=True)))
    assert links == []


def test_a_jobs_error_annotation_is_in_its_log() -> None:
    said = "Artifact not found for name: dist"
    line = _line("build", {}, command="error", arg=said, msg=f"::error::{said}\n", level="error")
    (run,) = jobs.parse_events([line])
    assert run.lines == ["error: Artifact not found for name: dist"]


def test_every_jobs_end_is_told_though_act_ends_between_two_looks(tmp_path: Path) -> None:
    log, told = tmp_path / "act.log", list[str]()
    with _act._watching(log, told.append):  # act ran and ended before the watcher's first look
        log.write_text("\n".join(ACT) + "\n", "utf-8")
    assert sorted(told) == ["cell (3.11): success (0 s)", "cell (3.12): failure (0 s)",
                            "plan: success (4 s)"]  # fmt: skip


def test_a_jobs_log_holds_what_a_terminal_shows_not_its_codes() -> None:
    bar = "\x1b[37m⠋\x1b[0m Resolving\x1b[0m\r\x1b[2K\x1b[37m⠙\x1b[0m Resolving\r\x1b[2K"
    said = [f"{bar}\x1b[2mResolved \x1b[1m12 packages\x1b[0m\n", "\x1b[36mnox > \x1b[31mfailed\r\n"]
    lines = [_line("build", {}, msg=text, raw_output=True) for text in said]
    (run,) = jobs.parse_events(lines)
    assert run.lines == ["Resolved 12 packages", "nox > failed"]


def test_a_job_that_failed_before_its_nox_session_names_no_nox_command() -> None:
    step = "actions/setup-python@e797f83bcb11b83ae66e0230d6156d7c80228e7c"
    lines = [
        _line("plan", {}, msg="  ❌  Failure", step=step, stepResult="failure"),
        _line("build", {}, msg="  ❌  Failure", step="nox -s build", stepResult="failure"),
    ]
    plan, build = jobs.parse_events(lines)
    assert plan.reproduce == f"(none: it failed at step {step}, before its nox session)"
    assert build.reproduce == "nox -s build"


@pytest.mark.parametrize(
    ("mode", "expected"),
    [(Mode.STAND_INS, ("validate_rc", "3.12")), (Mode.PUBLIC, None), (Mode.LOCAL, None)],
)
def test_only_running_stand_ins_read_a_rehearsals_injected_failure(
    mode: Mode, expected: tuple[str, str] | None
) -> None:
    env = {FAIL_AT_ENV: "validate_rc:3.12"}
    assert rehearsed_failure(Options(mode), env) == expected
    assert rehearsed_failure(Options(mode, fail_at=("build", "-")), env) == ("build", "-")


def test_a_failed_session_step_is_reproduced_by_its_own_session_not_the_jobs_name() -> None:
    """github_prerelease runs `nox -s github_release`; a cell's step names its Python as PY."""
    lines = [
        _line("github_prerelease", {}, msg="  ❌  Failure", step="nox -s github_release",
              stepResult="failure"),
        _line("validate_rc", {"python": "3.12"}, msg="  ❌  Failure",
              step="nox -s validate_rc-PY", stepResult="failure"),
    ]  # fmt: skip
    release, cell = jobs.parse_events(lines)
    assert release.reproduce == "nox -s github_release"
    assert cell.reproduce == "nox -s validate_rc-3.12"
