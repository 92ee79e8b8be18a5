"""What the generated workflow's jobs may do and what they install: images that can push (no
registry named: ghcr.io/<owner> with the job's own token), `packages:` only for ghcr.io, the
registry's password only in the steps that log in, and nox and staged-release at exact
versions in every job."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from release.config.images import ImagesSpec, default_registry, on_ghcr
from release.github import tools
from release.github.workflow import Facts, release_workflow
from tests.conftest import cli

ROOT = Path(__file__).parents[2]
NOTES = ROOT / "examples" / "notes-service"
PYTHONS = ("3.11", "3.12", "3.13")
UNNAMED = Facts(PYTHONS, e2e=True, images=ImagesSpec(app="app:app"))
GHCR = Facts(PYTHONS, e2e=True, images=ImagesSpec(app="app:app", registry="ghcr.io/octo"))
OWN = Facts(PYTHONS, e2e=True, images=ImagesSpec(app="app:app", registry="registry.example/o"))
UPLOAD_TOKENS = {"TESTPYPI_API_TOKEN", "PYPI_API_TOKEN"}
PINS = ("nox[uv]==2026.1.1", "staged-release==1.2.3")
VERSION = importlib.metadata.version("staged-release")
LOCK = """\
version = 1
[[package]]
name = "nox"
version = "2025.11.12"
source = { registry = "https://index.example/simple" }
[[package]]
name = "Staged_Release"
version = "0.9.0"
source = { registry = "https://index.example/simple" }
[[package]]
name = "notes-service"
version = "0.1.0"
source = { editable = "." }
"""


def jobs(facts: Facts) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(release_workflow(facts))["jobs"]
    return loaded


def secret_steps(facts: Facts, *, registry: bool = True) -> list[tuple[str, str]]:
    """(job, step name) of every step whose environment holds a secret (with `registry`, one of
    the registry's: the upload jobs' token secrets are for twine, which runs no project code)."""
    found = []
    for name, job in jobs(facts).items():
        for step in job["steps"]:
            env = step.get("env", {})
            held = [k for k, v in env.items() if "secrets." in str(v)]
            if held and not (registry and set(held) <= UPLOAD_TOKENS):
                found.append((name, step.get("name", step.get("uses", ""))))
    return found


def test_no_registry_named_is_ghcr_under_the_repositorys_owner_on_github() -> None:
    assert on_ghcr(ImagesSpec(app="a:a"))
    assert on_ghcr(ImagesSpec(app="a:a", registry="ghcr.io/octo"))
    assert not on_ghcr(ImagesSpec(app="a:a", registry="registry.example/ghcr.io"))
    # ghcr.io takes lower-case names only; outside GitHub Actions no owner is known
    assert default_registry({"GITHUB_REPOSITORY_OWNER": "Octo-Org"}) == "ghcr.io/octo-org"
    assert default_registry({}) is None


@pytest.mark.parametrize("facts", [UNNAMED, GHCR], ids=["unnamed", "ghcr"])
def test_images_on_ghcr_push_with_the_jobs_own_token_and_packages_rights(facts: Facts) -> None:
    found = jobs(facts)
    assert found["images"]["permissions"] == {"contents": "read", "packages": "write"}
    assert found["e2e_postpublish"]["permissions"] == {"contents": "read", "packages": "read"}
    (push,) = [s for s in found["images"]["steps"] if s.get("run") == "nox -s images"]
    assert push["env"] == {
        "DOCKER_USERNAME": "${{ github.actor }}",
        "DOCKER_PASSWORD": "${{ secrets.GITHUB_TOKEN }}",
    }
    assert "environment" not in found["images"]  # nothing to set up on GitHub
    granted = {n for n, j in found.items() if "packages" in j["permissions"]}
    assert granted == {"images", "e2e_postpublish"}


def test_another_registry_gets_no_packages_rights_and_its_secrets_from_an_environment() -> None:
    found = jobs(OWN)
    assert all("packages" not in job["permissions"] for job in found.values())
    assert found["images"]["environment"] == "registry"
    assert found["e2e_postpublish"]["environment"] == "registry"


@pytest.mark.parametrize("facts", [UNNAMED, OWN], ids=["ghcr", "own registry"])
def test_the_password_is_only_in_the_steps_that_log_in(facts: Facts) -> None:
    """The images push logs in; e2e_postpublish pulls in a step of its own before the step
    whose verify commands run the project's tests, which holds no secret."""
    assert secret_steps(facts) == [
        ("images", "nox -s images"),
        ("e2e_postpublish", "pull the published images"),
    ]
    # no step that runs the project's own commands (the cells' checks, E2E verify) holds any
    tested = ("validate_rc", "validate_final", "candidate_checks", "e2e_rc", "e2e_prepublish")
    held = secret_steps(facts, registry=False)
    assert [(j, step) for j, step in held if j in tested or step.startswith("nox -s e2e")] == []
    steps = jobs(facts)["e2e_postpublish"]["steps"]
    runs = [s["run"] for s in steps if "run" in s and "nox -s" in s["run"]]
    assert runs == ["nox -s e2e_postpublish -- --pull-only", "nox -s e2e_postpublish"]
    assert "env" not in steps[-1]


def test_the_tools_pins_come_from_the_lock_else_from_the_suite() -> None:
    defaults = {"nox": "2026.1.1", "staged-release": "1.2.3"}
    assert tools.requirements(LOCK, "notes-service", defaults) == (
        "nox[uv]==2025.11.12", "staged-release==0.9.0"
    )  # fmt: skip
    assert tools.requirements(None, "notes-service", defaults) == PINS
    assert tools.requirements("not = [toml", "notes-service", defaults) == PINS
    # the suite's own repository: its noxfile runs its own tree, nothing to install for it
    assert tools.requirements(LOCK, "staged_release", defaults) == ("nox[uv]==2025.11.12",)
    editable = LOCK.replace('"0.9.0"\nsource = { registry = "https://index.example/simple" }',
                            '"0.9.0"\nsource = { editable = "." }')  # fmt: skip
    assert tools.requirements(editable, "x", defaults)[1] == "staged-release==1.2.3"


def test_every_job_installs_nox_and_staged_release_at_exact_versions() -> None:
    facts = Facts(PYTHONS, e2e=True, images=ImagesSpec(app="a:a"), tools=PINS)
    installs = [
        step["run"]
        for job in jobs(facts).values()
        for step in job["steps"]
        if step.get("name") == "install nox"
    ]
    assert len(installs) == len(jobs(facts))
    # on one Python staged-release supports, whatever Python the job's cell set up
    expected = "uv tool install --python 3.13 'nox[uv]==2026.1.1' --with 'staged-release==1.2.3'"
    assert set(installs) == {expected}


@pytest.mark.skipif(
    not (NOTES / ".github" / "workflows" / "release.yml").is_file(),
    reason="the source tree is not beside these tests (a copy of examples/ without .github/)",
)
def test_the_example_generates_its_committed_workflow_whose_images_can_push(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli(capsys, "workflow", "--check", "--project", str(NOTES))[0] == 0
    text = (NOTES / ".github" / "workflows" / "release.yml").read_text()
    found = yaml.safe_load(text)["jobs"]
    assert found["images"]["permissions"]["packages"] == "write"
    assert f"--with 'staged-release=={VERSION}'" in text
    noxfile = (NOTES / "noxfile.py").read_text()
    assert f'"staged-release=={VERSION}"' in noxfile  # what the jobs install satisfies it


def test_the_pull_before_the_stage_writes_no_stage_outcome_of_its_own(
    step_summary: Path,
    project: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = step_summary
    root = str(project("rc-agrees"))  # no E2E stack: nothing to pull
    argv = ("e2e", "--stage", "e2e_postpublish", "--pull-only", "--project", root)
    assert cli(capsys, *argv)[:2] == (0, "no candidate image to pull\n")
    assert not summary.exists()


def test_only_e2e_postpublish_pulls_published_images(
    project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("rc-agrees")
    code, _, err = cli(capsys, "e2e", "--stage", "e2e_rc", "--pull-only", "--project", str(root))
    assert code == 2
    assert "only e2e_postpublish has them" in err


@pytest.mark.parametrize("registry", [None, "registry.example/o"], ids=["unnamed", "named"])
def test_workflow_says_where_images_without_a_registry_go(
    project: Callable[[str], Path], capsys: pytest.CaptureFixture[str], registry: str | None
) -> None:
    root = project("rc-agrees")
    named = f'registry = "{registry}"\n' if registry else ""
    with (root / "pyproject.toml").open("a") as pyproject:
        pyproject.write(f'\n[tool.staged-release.images]\napp = "app:app"\n{named}')
    code, out, _ = cli(capsys, "workflow", "--project", str(root))
    assert code == 0
    note = "names no registry: the workflow pushes to ghcr.io/<owner> with the job's own token"
    assert (note in out) == (registry is None)
    images = yaml.safe_load((root / ".github/workflows/release.yml").read_text())["jobs"]["images"]
    assert ("packages" in images["permissions"]) == (registry is None)


def test_the_tools_python_is_the_newest_of_the_lane_staged_release_supports() -> None:
    requires = importlib.metadata.metadata("staged-release")["Requires-Python"]
    assert requires == ">=3.11"
    assert tools.tool_python(("3.10", "3.11", "3.12")) == "3.12"
    assert tools.tool_python(("3.9", "3.10")) == tools.NEWEST  # none supported: ours
    cell = jobs(Facts(("3.10", "3.12"), tools=PINS))["validate_rc"]["steps"]
    assert cell[1]["with"]["python-version"] == "3.12\n${{ matrix.python }}"
    assert cell[3]["run"].startswith("uv tool install --python 3.12 ")
    single = jobs(Facts(("3.10",), tools=PINS))["build"]["steps"][1]["with"]["python-version"]
    assert single == f"{tools.NEWEST}\n3.10"  # set up beside the lane's, which stays the default
