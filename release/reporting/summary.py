"""A job's summary on GitHub Actions ($GITHUB_STEP_SUMMARY): the outcome of the one stage it
ran, and the local command that reproduces it. A failed job's page then says what to run on a
laptop, without reading the workflow: the same session, after fetching the job's dist/ artifact.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from pathlib import Path

from release.core.text import redact, secret_values
from release.pipeline.outcomes import Outcome, Status
from release.pipeline.stages import entry

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
_OURS = "STAGED_RELEASE_"  # variables that change what a session does: part of the command
# ...except the workflow rehearsal's: only its local stand-in actions read them, no session does.
_REHEARSAL = "STAGED_RELEASE_ACT_"
_USERINFO = re.compile(r"//[^/@\s]+@")  # user:password@ in an index URL
PLAN = "plan"  # the workflow's first job, which runs no stage: its summary is written too
# The stages that read no dist/: the rest need the build job's artifact to be reproduced.
_NO_DIST = frozenset({PLAN, *(s.name for s in entry())})
_ICONS = {Status.PASSED: "✅", Status.FAILED: "❌", Status.SKIPPED: "⏭️", Status.INTERRUPTED: "⛔"}


def reproduce(outcome: Outcome, env: Mapping[str, str]) -> list[str]:
    """The shell lines that run this job's session locally, from a clone at the same commit."""
    lines = []
    if outcome.stage not in _NO_DIST:
        run, repo = env.get("GITHUB_RUN_ID", "RUN_ID"), env.get("GITHUB_REPOSITORY", "OWNER/REPO")
        lines.append(f"gh run download {run} --repo {repo} --name dist --dir dist")
    ours = [
        f"{n}={shlex.quote(_safe(v, env))}"
        for n, v in sorted(env.items())
        if n.startswith(_OURS) and not n.startswith(_REHEARSAL)
    ]
    return [*lines, " ".join([*ours, "nox", "-s", shlex.quote(outcome.label)])]


def _safe(value: str, env: Mapping[str, str]) -> str:
    return _USERINFO.sub("//***@", redact(value, secret_values(env)))


def markdown(outcome: Outcome, env: Mapping[str, str], detail: str = "") -> str:
    """The stage's row and the command reproducing it, as GitHub renders a job summary;
    `detail` (a workflow's drift) as a diff below the row."""
    icon = _ICONS[outcome.status]
    reason = " ".join(outcome.reason.split()).replace("|", "\\|") or " "
    row = f"| {outcome.label} | {icon} {outcome.status} | {outcome.duration:.1f} s | {reason} |"
    return "\n".join([
        f"### {outcome.label}: {outcome.status}", "",
        "| stage | status | duration | reason |", "|---|---|---|---|", row, "",
        *([f"Hint: {outcome.hint}", ""] if outcome.hint else []),
        *(["```diff", detail.rstrip("\n"), "```", ""] if detail else []),
        "Reproduce it locally (from a clone at this commit):", "", "```sh",
        *reproduce(outcome, env), "```", "",
    ])  # fmt: skip


def write(outcome: Outcome, env: Mapping[str, str], detail: str = "") -> None:
    """Append the summary when running as a GitHub Actions step; nothing elsewhere."""
    path = env.get(SUMMARY_ENV)
    if path:
        with Path(path).open("a", encoding="utf-8") as out:
            out.write(markdown(outcome, env, detail))
