"""The local stand-ins for the actions a release workflow uses, and how act is told to use them.

Each stand-in is a composite action shipped with the suite (`actions/<name>/action.yml`) that
does its action's job on this machine through `python -I -m release.rehearse_workflow._step`.
act serves a pinned `uses:` from a local directory when given `--local-repository
OWNER/REPO@REF=DIR`; `act_arguments(workflow)` gives those for every `uses:` of a workflow,
and refuses, before anything runs, a workflow using an action without a stand-in.

The stand-ins read three variables, which must be in act's own environment (act's host
executor hands its environment to every step): `environment(...)` makes them.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from release.core.errors import ActionNotEmulated
from release.rehearse_workflow._artifacts import ARTIFACTS_ENV
from release.rehearse_workflow._checkout import REPOSITORY_ENV

# The local git repository that plays GitHub's copy of the project: checkout fetches from it.
REPOSITORY = REPOSITORY_ENV
# The run's artifact store (a directory per rehearsal run): upload writes, download reads.
ARTIFACTS = ARTIFACTS_ENV
# The suite's own Python (sys.executable), which runs every stand-in's step.
PYTHON = "STAGED_RELEASE_ACT_PYTHON"

ACTIONS = Path(__file__).parent / "actions"
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


def local_repositories(workflow: Mapping[str, object]) -> list[str]:
    """act's `--local-repository OWNER/REPO@REF=DIR` arguments for every action the workflow
    uses, each once; refuses, naming each action and its job, what has no stand-in."""
    arguments: dict[str, None] = {}
    refused: list[str] = []
    for use in uses(workflow):
        try:
            directory = stand_in(use.uses)
        except ActionNotEmulated:
            refused.append(f"`{use.uses}` (job `{use.job}`)")
            continue
        if directory is not None:
            arguments[f"{use.uses}={directory}"] = None
    if refused:
        raise ActionNotEmulated(
            "the workflow uses actions the rehearsal has no local stand-in for: "
            + ", ".join(refused),
            hint="the rehearsal serves " + ", ".join(STAND_INS) + " and the repository's own "
            "`./` actions; do that step's work in a `run:` step, or rehearse without it",
        )
    return [arg for value in arguments for arg in ("--local-repository", value)]


def act_arguments(workflow: Mapping[str, object]) -> list[str]:
    """What act needs to run the workflow on the stand-ins: `--no-skip-checkout` (else act
    skips a plain `actions/checkout` and the workspace stays empty) and the local repositories."""
    return ["--no-skip-checkout", *local_repositories(workflow)]


def environment(repository: Path, artifacts: Path, python: str = sys.executable) -> dict[str, str]:
    """The variables the stand-ins read, for act's environment (not its argv)."""
    return {REPOSITORY: str(repository), ARTIFACTS: str(artifacts), PYTHON: python}
