"""The release workflow generated from the stage table: which jobs a project gets, what each
job may do, that it lints clean (zizmor, GitHub's schema), that it calls only sessions that
exist, and that `workflow --check` catches a hand edit."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from release.config.images import ImagesSpec
from release.github import workflow
from release.github.workflow import Facts, release_workflow
from release.sessions import SESSIONS
from tests.conftest import cli

ROOT = Path(__file__).parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
PATH = os.environ.get("PATH", "")
PYTHONS = ("3.11", "3.12", "3.13")
BARE = Facts(PYTHONS)
FULL = Facts(PYTHONS, e2e=True, images=ImagesSpec(app="app:app", registry="ghcr.io/example"))
OWN_REGISTRY = Facts(
    PYTHONS, e2e=True, images=ImagesSpec(app="app:app", registry="registry.example")
)
E2E_JOBS = {"e2e_rc", "e2e_prepublish", "e2e_postpublish"}
UPLOADS = {"upload_testpypi": "testpypi", "upload_pypi": "pypi"}
Project = Callable[[str], Path]


def jobs(facts: Facts) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(release_workflow(facts))["jobs"]
    return loaded


def steps(facts: Facts) -> list[tuple[str, dict[str, Any]]]:
    return [(name, step) for name, job in jobs(facts).items() for step in job["steps"]]


def test_a_project_without_stack_or_images_gets_the_lanes_without_those_jobs() -> None:
    assert list(jobs(BARE)) == [
        "plan", "build", "upload_testpypi", "validate_rc",
        "candidate_checks", "upload_pypi", "validate_final", "github_release",
    ]  # fmt: skip


def test_a_stack_and_images_add_their_jobs_in_lane_order() -> None:
    found = jobs(FULL)
    assert list(found) == [
        "plan", "build", "upload_testpypi", "validate_rc", "e2e_rc",
        "candidate_checks", "e2e_prepublish", "upload_pypi", "validate_final", "images",
        "e2e_postpublish", "github_release",
    ]  # fmt: skip
    chain = {name: job["needs"][-1] for name, job in found.items() if "needs" in job}
    assert chain["upload_pypi"] == "e2e_prepublish"
    assert chain["images"] == "validate_final"
    assert "images" not in jobs(Facts(PYTHONS, e2e=True))
    assert E2E_JOBS.isdisjoint(jobs(Facts(PYTHONS, images=FULL.images)))


@pytest.mark.parametrize("facts", [BARE, FULL], ids=["bare", "full"])
def test_every_job_runs_exactly_one_nox_session(facts: Facts) -> None:
    for name, job in jobs(facts).items():
        runs = [s["run"] for s in job["steps"] if "nox -s" in s.get("run", "")]
        # e2e_postpublish pulls its images first, with the same session (release.github.workflow)
        own = [r for r in runs if not r.endswith("-- --pull-only")]
        assert len(own) == 1, name
        assert {r.split()[2] for r in runs} == {own[0].split()[2]}, name


@pytest.mark.parametrize("facts", [BARE, FULL], ids=["bare", "full"])
def test_no_expression_in_run_and_no_credential_left_in_checkouts(facts: Facts) -> None:
    runs = [step["run"] for _job, step in steps(facts) if "run" in step]
    assert runs
    assert [run for run in runs if "${{" in run] == []
    for name, job in jobs(facts).items():  # every job checks out and sets up uv, once
        uses = [(s["uses"].split("@")[0], s.get("with", {})) for s in job["steps"] if "uses" in s]
        checkouts = [w.get("persist-credentials") for u, w in uses if u == "actions/checkout"]
        setups = [w.get("enable-cache") for u, w in uses if u == "astral-sh/setup-uv"]
        assert checkouts == [False], name
        assert setups == [False], name  # no cache on a release trigger


def test_only_the_upload_jobs_get_an_identity_token_and_an_environment() -> None:
    text = release_workflow(FULL)
    assert re.search(r"^permissions: \{\}$", text, re.MULTILINE)
    for name, job in jobs(FULL).items():
        granted = {k: v for k, v in job["permissions"].items() if v != "read"}
        expected = {"id-token": "write"} if name in UPLOADS else {}
        expected = {"packages": "write"} if name == "images" else expected
        # only the Release may write to the repository; only plan reads the runs
        expected = {"contents": "write"} if name == "github_release" else expected
        assert job["permissions"].get("actions") == ("read" if name == "plan" else None)
        assert (name, granted, job.get("environment")) == (name, expected, UPLOADS.get(name))


def test_matrix_cells_come_from_the_plan_and_reach_the_step_through_env() -> None:
    cell = jobs(BARE)["validate_rc"]
    assert cell["strategy"]["matrix"]["python"] == "${{ fromJSON(needs.plan.outputs.pythons) }}"
    (step,) = [s for s in cell["steps"] if "nox -s" in s.get("run", "")]
    assert step["env"]["CELL_PYTHON"] == "${{ matrix.python }}"
    assert step["run"] == 'nox -s "validate_rc-$CELL_PYTHON"'


def test_every_session_the_workflow_calls_exists() -> None:
    defined = {s.name for s in SESSIONS if not s.per_python}
    defined |= {f"{s.name}-{p}" for s in SESSIONS if s.per_python for p in PYTHONS}
    called = [
        (job, step["run"].split("nox -s ", 1)[1].split(" ")[0].strip('"'))
        for job, step in steps(FULL)
        if "nox -s" in step.get("run", "")
    ]
    assert {job for job, _session in called} == set(jobs(FULL))  # every job calls one
    for _job, session in called:
        cells = [session.replace("$CELL_PYTHON", p) for p in PYTHONS]
        assert set(cells) <= defined, session


def test_every_action_is_pinned_by_a_sha_of_the_data_file_with_its_version() -> None:
    text = resources.files("release.github").joinpath("actions.toml").read_text("utf-8")
    pins = tomllib.loads(text)["actions"].values()
    allowed = {f"uses: {p['uses']}@{p['sha']}  # {p['version']}" for p in pins}
    assert all(re.fullmatch(r"[0-9a-f]{40}", p["sha"]) for p in pins)
    texts = {"generated": release_workflow(FULL)}  # and this repository's, beside the tests
    texts |= {path.name: path.read_text() for path in WORKFLOWS.glob("*.yml")}
    used = [(name, line) for name, text in texts.items() for line in text.splitlines()]
    used = [(name, line) for name, line in used if "uses:" in line]
    assert used
    for name, line in used:
        assert line.strip().removeprefix("- ") in allowed, (name, line)


def test_check_passes_then_fails_with_a_diff_after_a_one_character_edit(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("rc-agrees")
    code, out, _ = cli(capsys, "workflow", "--project", str(root))
    assert code == 0
    assert "jobs plan, build, upload_testpypi" in out
    assert cli(capsys, "workflow", "--check", "--project", str(root))[0] == 0
    path = root / workflow.PATH
    path.write_text(
        path.read_text().replace("cancel-in-progress: false", "cancel-in-progress: falsy")
    )
    code, out, err = cli(capsys, "workflow", "--check", "--project", str(root))
    assert code == 1
    assert "-  cancel-in-progress: falsy\n+  cancel-in-progress: false\n" in out
    assert "differs from what this staged-release generates" in err


def test_check_without_a_workflow_is_bad_input(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "workflow", "--check", "--project", str(project("rc-agrees")))
    assert code == 2
    assert err.startswith("error: ")
    assert "does not exist" in err


@pytest.mark.skipif(
    not (WORKFLOWS / "release.yml").is_file(), reason="the source tree is not beside these tests"
)
def test_this_repository_carries_the_workflow_its_stage_table_generates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli(capsys, "workflow", "--check", "--project", str(ROOT))[0] == 0


def _linted(tmp_path: Path) -> list[str]:
    """This repository's workflows and ones generated for projects with everything."""
    generated = []
    prereleases = Facts(PYTHONS, e2e=True, images=FULL.images, prereleases=True)
    for name, facts in (("full", FULL), ("own-registry", OWN_REGISTRY), ("pre", prereleases)):
        generated.append(tmp_path / f"release-{name}.yml")
        generated[-1].write_text(release_workflow(facts))
    ours = sorted(WORKFLOWS.glob("*.yml"))
    return [str(path) for path in [*ours, *generated]]


def test_each_secret_reaches_only_the_nox_step_of_the_job_that_needs_it() -> None:
    """The registry's login: the images jobs, in the `registry` environment. The index's token
    (what `auto` falls back to with no publisher registered): its upload job's nox step."""
    token = {"upload_testpypi": "TESTPYPI_API_TOKEN", "upload_pypi": "PYPI_API_TOKEN"}
    found = jobs(OWN_REGISTRY)
    # in the environment the trusted publisher names, where the secret lives
    assert {name: found[name]["environment"] for name in token} == UPLOADS
    for name, job in found.items():
        mapped = {
            (step.get("name"), variable, value)
            for step in job["steps"]
            for variable, value in step.get("env", {}).items()
            if "secrets." in str(value)
        }
        registry = {m for m in mapped if "DOCKER_" in m[1]}
        assert bool(registry) == (name in ("images", "e2e_postpublish")), name
        assert (job.get("environment") == "registry") == bool(registry), name
        wanted = token.get(name)
        expected = {(f"nox -s {name}", wanted, f"${{{{ secrets.{wanted} }}}}")} if wanted else set()
        assert mapped - registry == expected, name


def _tool(name: str) -> str:
    # Beside the running Python first: its environment has the test group, PATH may not.
    found = shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), PATH]))
    if found is None:  # a lint that did not run must not look like one that passed
        pytest.fail(f"{name} is not installed (it is in the test dependency group: uv sync)")
    return found


def test_zizmor_finds_nothing_at_any_severity(tmp_path: Path) -> None:
    zizmor = _tool("zizmor")
    argv = [zizmor, "--offline", "--persona", "pedantic", *_linted(tmp_path)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
    assert "No findings to report" in done.stdout


def test_the_workflows_match_githubs_schema(tmp_path: Path) -> None:
    checker = _tool("check-jsonschema")
    argv = [checker, "--builtin-schema", "vendor.github-workflows", *_linted(tmp_path)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_plan_checks_the_workflow_and_fails_on_drift_with_the_diff_in_the_summary(
    step_summary: Path, project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("rc-agrees")
    cli(capsys, "workflow", "--project", str(root))
    summary = step_summary
    path = root / workflow.PATH
    path.write_text(path.read_text().replace("name: dist\n", "name: dist-renamed\n", 1))
    code, out, err = cli(capsys, "plan", "--json", "--check-workflow", "--project", str(root))
    assert code == 1
    assert '"target"' not in out  # no lane planned: nothing later runs
    assert "-          name: dist-renamed\n+          name: dist\n" in out
    assert err.startswith("error: release.yml differs from what this staged-release generates")
    shown = summary.read_text()
    assert "### plan: failed" in shown
    assert "```diff\n--- " in shown
    assert "-          name: dist-renamed\n" in shown
    # without the flag (a maintainer's `nox -s plan`), plan does not judge the workflow
    assert "differs" not in cli(capsys, "plan", "--json", "--project", str(root))[2]


def test_the_github_release_ends_the_pypi_lane_with_the_images_digests() -> None:
    found = jobs(FULL)
    job = found["github_release"]
    assert (job["needs"], job["if"]) == (
        ["plan", "e2e_postpublish"], "needs.plan.outputs.target == 'pypi'"
    )  # fmt: skip
    names = [step.get("with", {}).get("name") for step in job["steps"]]
    assert [n for n in names if n] == ["dist", "results-images"]
    assert job["steps"][-1]["env"] == {"GITHUB_TOKEN": "${{ github.token }}"}
    assert jobs(BARE)["github_release"]["needs"] == ["plan", "validate_final"]
    assert found["build"]["if"] == "needs.plan.outputs.target != ''"  # no lane: nothing runs
