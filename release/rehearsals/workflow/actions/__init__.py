"""The local stand-ins for the actions a release workflow uses, and how act is told to use them.

Each stand-in is a composite action in this folder (`<name>/action.yml`) that does its action's
job on this machine through `python -I -m release.rehearsals.workflow.actions._step NAME`. act
serves a pinned `uses:` from a local directory when given `--local-repository OWNER/REPO@REF=DIR`;
`local_repositories(workflow)` maps every `uses:` of a workflow to its stand-in, and refuses,
before anything runs, a workflow using an action without one.

The stand-ins read four variables, which must be in act's own environment (act's host
executor hands its environment to every step): `environment(...)` makes them, with uv's tool
folders for a job that never sets up uv.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from release.core.errors import ActionNotEmulated, ConfigError

# The local git repository that plays GitHub's copy of the project: checkout fetches from it.
REPOSITORY = "STAGED_RELEASE_ACT_REPOSITORY"
# The run's artifact store (a directory per rehearsal run): upload writes, download reads.
ARTIFACTS = "STAGED_RELEASE_ACT_ARTIFACTS"
# The suite's own Python (sys.executable), which runs every stand-in's step.
PYTHON = "STAGED_RELEASE_ACT_PYTHON"
# The one folder act's environment points uv's tools at (UV_TOOL_DIR; its bin/ UV_TOOL_BIN_DIR),
# so a job that never sets up uv installs nothing into this machine's ~/.local. setup-uv gives
# its job folders of its own instead: every job starts from an empty one, as on a fresh runner.
TOOLS = "STAGED_RELEASE_ACT_TOOLS"

ACTIONS = Path(__file__).parent
# Action (owner/repo, as GitHub compares them: case-insensitively) → its stand-in's directory.
STAND_INS: Mapping[str, str] = {
    "actions/checkout": "checkout",
    "actions/setup-python": "setup-python",
    "astral-sh/setup-uv": "setup-uv",
    "actions/upload-artifact": "upload-artifact",
    "actions/download-artifact": "download-artifact",
}


@dataclass(frozen=True)
class Use:
    job: str
    uses: str


def uses(workflow: Mapping[str, object]) -> list[Use]:
    """Every `uses:` of the workflow, job by job: steps' actions and jobs' reusable workflows."""
    jobs = workflow.get("jobs")
    found: list[Use] = []
    for job, body in jobs.items() if isinstance(jobs, Mapping) else ():
        if not isinstance(body, Mapping):
            continue
        if isinstance(body.get("uses"), str):
            found.append(Use(str(job), body["uses"]))
        steps = body.get("steps")
        found.extend(
            Use(str(job), step["uses"])
            for step in (steps if isinstance(steps, list) else ())
            if isinstance(step, Mapping) and isinstance(step.get("uses"), str)
        )
    return found


def stand_in(uses: str) -> Path | None:
    """The directory serving `uses` at any ref (None for the repository's own `./` actions and
    reusable workflows, which act runs from the checkout: their own `uses:` are not read here);
    ActionNotEmulated for anything else: other actions, a sub-path, `docker://` images."""
    if uses.startswith("./"):
        return None
    action, _, ref = uses.partition("@")
    name = STAND_INS.get(action.lower())
    if name is None or not ref:
        raise ActionNotEmulated(f"the rehearsal has no local stand-in for `{uses}`")
    return ACTIONS / name


def local_repositories(
    workflow: str | Mapping[str, object], source: str = "the workflow"
) -> dict[str, Path]:
    """Each action the workflow uses ("owner/repo@ref", as written) → its stand-in's directory,
    for act's `--local-repository`; refuses, naming each action and its job, what has none.
    `workflow` is the YAML text or its parsed form; `source` names it in messages."""
    parsed = _parsed(workflow, source)
    served: dict[str, Path] = {}
    refused: list[str] = []
    for use in uses(parsed):
        try:
            directory = stand_in(use.uses)
        except ActionNotEmulated:
            refused.append(f"`{use.uses}` (job `{use.job}`)")
            continue
        if directory is not None:
            served[use.uses] = directory
    if refused:
        raise ActionNotEmulated(
            f"{source} uses actions the rehearsal has no local stand-in for: " + ", ".join(refused),
            hint="the rehearsal serves " + ", ".join(STAND_INS) + " and the repository's own "
            "`./` actions; do that step's work in a `run:` step, or rehearse without it",
        )
    return served


def act_arguments(served: Mapping[str, Path]) -> list[str]:
    """act's arguments for the stand-ins: `--no-skip-checkout` (else act skips a plain
    `actions/checkout`, and the workspace stays empty) and one `--local-repository` each."""
    return ["--no-skip-checkout", *(f"--local-repository={u}={d}" for u, d in served.items())]


def environment(
    repository: Path, artifacts: Path, tools: Path, python: str = sys.executable
) -> dict[str, str]:
    """The variables the stand-ins read, and uv's shared tool folders (see TOOLS), for act's
    environment (not its argv)."""
    return {
        REPOSITORY: str(repository), ARTIFACTS: str(artifacts), PYTHON: python,
        TOOLS: str(tools), "UV_TOOL_DIR": str(tools), "UV_TOOL_BIN_DIR": str(tools / "bin"),
    }  # fmt: skip


def _parsed(workflow: str | Mapping[str, object], source: str) -> Mapping[str, object]:
    if not isinstance(workflow, str):
        return workflow
    try:
        loaded = yaml.safe_load(workflow)
    except yaml.YAMLError as error:
        raise ConfigError(f"{source} is not YAML: {error}") from None
    return loaded if isinstance(loaded, Mapping) else {}
