"""The gates `plan` applies on GitHub Actions, with the reads they need (the decisions are
release.github.gates'): this tag's earlier runs and its rc lanes' runs through GitHub's API, and
for a .postN its final on PyPI. Outside a GitHub Actions job (`plan` on a laptop) none applies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from release.config.project import Config
from release.core.errors import ConfigError, RcNotGreen
from release.core.progress import Progress
from release.github import api as github_api
from release.github import gates
from release.github.workflow import PATH as WORKFLOW
from release.index import profiles as indexes
from release.pipeline.plan import Event, Plan, Trigger
from release.pipeline.stages import Target
from release.versioning.versions import Kind, looks_like_version_tag, strip_ref


def applies(event: Event, env: Mapping[str, str]) -> bool:
    return env.get("GITHUB_ACTIONS") == "true" and event is not Event.LOCAL


def carried(trigger: Trigger, env: Mapping[str, str]) -> str:
    """Why this run starts no lane ("" when it does): its tag's lane ran in an earlier push or
    release run. Asked before the version rules, which a carried tag need not pass again (a
    pre-release published for an rc once its final is out is no new lane, and no error)."""
    if not (applies(trigger.event, env) and trigger.event.value in gates.LANE_EVENTS):
        return ""
    tag = strip_ref(trigger.ref or "")
    if not looks_like_version_tag(tag):
        return ""  # not a release: the plan refuses it with its own reason
    runs = github_api.from_env(env).workflow_runs(WORKFLOW.name, tag)
    return gates.already_carried(trigger.event, tag, runs, _own_run(env)) or ""


def green(plan: Plan, config: Config, tags: Sequence[str], env: Mapping[str, str],
          progress: Progress) -> str:  # fmt: skip
    """What lets this PyPI lane start (for the job summary): a green rc lane of a final, the
    final on PyPI for a .postN; RcNotGreen when it is missing. "" for an rc lane."""
    if plan.target is not Target.PYPI or not applies(plan.trigger.event, env):
        return ""
    if plan.version.kind is Kind.POST:
        return _final_on_pypi(plan, config, env, progress)
    api = github_api.from_env(env)
    found = {rc: api.workflow_runs(WORKFLOW.name, rc) for rc in gates.rc_tags(plan.version, tags)}
    return f"green rc: {gates.require_green_rc(plan.version, found)}"


def _own_run(env: Mapping[str, str]) -> int:
    value = env.get("GITHUB_RUN_ID", "")
    if not value.isdigit():
        raise ConfigError(
            f"GITHUB_RUN_ID is {value or 'not set'}, not a run id",
            hint="run this step in a GitHub Actions job, which sets it",
        )
    return int(value)


def _final_on_pypi(plan: Plan, config: Config, env: Mapping[str, str], progress: Progress) -> str:
    """A .postN fixes a released final: that final must be on PyPI (through the simple API)."""
    from release.context import Options, open_run
    from release.index.simple_api import versions

    final = plan.version.base
    options = Options(indexes.read_mode(None, env), indexes.RELEASE)
    with open_run(config, options, progress) as run:
        index = run.index(indexes.RELEASE)
        listed = versions(run.listing(index, config.name))
    if final not in listed:
        raise RcNotGreen(
            f"{plan.version} fixes the final {final}, which {index.name} does not list",
            hint=f"release {final} first (its rc, then v{final}); a .postN follows a final",
        )
    return f"final {final} on {index.name}"
