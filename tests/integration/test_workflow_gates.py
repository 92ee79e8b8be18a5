"""rehearse --workflow: what the jobs ask of GitHub's API (the rehearsal's stand-in, fed from
its own events). An rc push, its final's push, then the GitHub releases published for both
tags: the tags' lanes run once each and each lane ends with the tag's GitHub Release (the rc's
a pre-release, as the project's settings ask); the releases run none (green, plan's reason in
its summary), and the rc's pre-release never asks for PyPI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_workflow_rehearsal import (
    _git,
    _jobs,
    _suite,
    adopted,
    own_tools,
    rehearse,
)

RC, FINAL = "v0.3.0rc1", "v0.3.0"


@pytest.mark.integration
def test_each_tag_runs_its_lane_once_and_the_final_follows_a_green_rc(tmp_path: Path) -> None:
    root = _asking_for_prereleases(adopted(tmp_path / "project"))
    # (f) too: TestPyPI has no trusted publisher, and the token secret the workflow maps into
    # its upload job holds an API token that index takes; PyPI's upload exchanges as usual.
    done, data = rehearse(root, "--event", f"push:{RC}", "--event", f"push:{FINAL}",
                          "--event", f"release:{FINAL}", "--event", f"release:{RC}",
                          "--no-publisher", "testpypi")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    rc, final, released, prereleased = data["events"]
    assert (prereleased["label"], prereleased["event"]) == (f"pre-release of {RC}", "release")
    assert _jobs(rc)["validate_rc (3.12)"]["status"] == "success"
    assert _jobs(rc)["upload_testpypi"]["note"].startswith(
        "credential: the token in TESTPYPI_API_TOKEN (trusted publishing refused: "
        "invalid-publisher, no publisher registered for this job); attestations: skipped"
    )
    assert _jobs(final)["upload_pypi"]["note"].startswith("credential: trusted publishing")
    refused = [e["detail"] for e in data["exchanges"] if e["kind"] == "mint" and e["outcome"]
               == "refused"]  # fmt: skip
    assert len(refused) == 1
    assert "no trusted publisher is registered on this index" in refused[0]
    assert _jobs(final)["validate_final (3.12)"]["status"] == "success"
    # every job's nox session ran on tools it installed itself, in folders of its own
    rc_jobs = {"plan", "build", "upload_testpypi", "validate_rc (3.12)", "github_prerelease"}
    assert rc_jobs <= set(own_tools(rc)), _jobs(rc).keys()
    final_jobs = {"plan", "build", "upload_pypi", "validate_final (3.12)", "github_release"}
    assert final_jobs <= set(own_tools(final)), _jobs(final).keys()
    assert own_tools(released) == own_tools(prereleased) == ["plan"]
    assert _jobs(final)["plan"]["note"] == f"green rc: {RC} (run 1, push): success"
    for event, first in ((released, 2), (prereleased, 1)):
        jobs = _jobs(event)
        assert jobs["plan"]["status"] == "success"
        assert jobs["plan"]["note"].startswith(
            f"no lane: {event['tag']}'s lane already ran in run {first} (push, success)"
        )
        assert {job["status"] for name, job in jobs.items() if name != "plan"} == {"skipped"}
    # one upload of each file per index: the release of the final sent nothing again
    uploads = [(e["index"], e["job"]) for e in data["exchanges"] if e["kind"] == "upload"]
    assert sorted(uploads) == [("pypi", "upload_pypi")] * 2 + [("testpypi", "upload_testpypi")] * 2
    audit = data["audit"]  # a rule per index a lane uploaded to: what it holds is what was built
    assert {rule["rule"].split()[0] for rule in audit} == {"testpypi", "pypi"}, audit
    assert [rule for rule in audit if not rule["ok"]] == []
    # the GitHub Release: the dists and SHA256SUMS attached, the notes naming each file's
    # sha256 and where PyPI serves it
    prerelease, release = data["github"]["releases"]
    assert (prerelease["tag_name"], prerelease["prerelease"]) == (RC, True)
    assert _jobs(rc)["github_prerelease"]["status"] == "success"
    assert "released by its stand-in testpypi lane" in prerelease["body"]  # the index it used
    assert (release["tag_name"], release["prerelease"]) == (FINAL, False)
    assert _jobs(final)["github_release"]["status"] == "success"
    built = json.loads((root / ".staged-release/workflow/event-2/artifacts/dist/manifest.json")
                       .read_text())["files"]  # fmt: skip
    assert len(built) == 2  # the sdist and the wheel
    attached = {a["name"]: a["sha256"] for a in release["assets"]}
    assert attached.pop("SHA256SUMS")
    assert attached == {f["filename"]: f["sha256"] for f in built}
    for file in built:
        assert f"| {file['filename']} | `{file['sha256']}` | http://127.0.0.1:" in release["body"]
    assert "GitHub Release v0.3.0: " in done.stdout
    assert (
        "<h2>GitHub Release v0.3.0: quiet-pkg 0.3.0</h2>"
        in (tmp_path / "report" / "report.html").read_text()
    )


def _asking_for_prereleases(root: Path) -> Path:
    """The project's settings ask for an rc's pre-release; its workflow regenerated, committed."""
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()  # init wrote the table; the setting goes at its head
    assert text.count("[tool.staged-release]\n") == 1
    pyproject.write_text(text.replace("[tool.staged-release]\n", "[tool.staged-release]\n"
                                      "github-prereleases = true\n"))  # fmt: skip
    done = _suite("workflow", "--project", str(root))
    assert done.returncode == 0, done.stderr
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "prereleases")
    return root
