"""The two pure halves of trusted publishing: the claims GitHub puts into a job's identity token,
and how PyPI matches them against a registered GitHub publisher.

GitHub knows from its own records which job asks; here the job's environment tells (GITHUB_JOB,
GITHUB_REPOSITORY, GITHUB_REF, ...), and the workflow file tells what the environment does not:
each job's `environment:` and whether it holds `id-token: write`. PyPI looks a publisher up by
repository, workflow file name and environment (a publisher without one takes any), then checks
`sub` and `job_workflow_ref` against it; a refusal says only "no corresponding publisher", as
PyPI's does, and the record keeps the detail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

ISSUER = "https://token.actions.githubusercontent.com"
# GitHub's identity tokens: valid from 10 minutes before they are issued until 5 after.
NOT_BEFORE, LIFETIME = 600, 300
# PyPI's pattern for the workflow file name inside a workflow ref: `<name>.yml@`.
_WORKFLOW_FILE = re.compile(r"[^/]+\.(yml|yaml)(?=@)")
_JOB_VARIABLES = ("GITHUB_JOB", "GITHUB_REPOSITORY", "GITHUB_REF", "GITHUB_SHA")
NO_PUBLISHER = "valid token, but no corresponding publisher"
NOT_FOUND = "Publisher with matching claims was not found"


@dataclass(frozen=True)
class Workflow:
    """What the workflow file says about its jobs (the rehearsal reads it)."""

    file: str  # the workflow's file name under .github/workflows/, e.g. "release.yml"
    environments: Mapping[str, str] = field(default_factory=dict)  # job id -> `environment:`
    id_token: frozenset[str] = frozenset()  # the job ids granted `id-token: write`


@dataclass(frozen=True)
class Publisher:
    """A GitHub trusted publisher as registered on an index."""

    repository: str  # OWNER/REPO
    workflow: str  # the workflow file name, e.g. "release.yml"
    environment: str = ""  # "" takes a token from any environment (or none), as on PyPI


@dataclass(frozen=True)
class Refusal:
    code: str  # PyPI's error code: invalid-token, invalid-publisher, invalid-reuse-token, ...
    description: str  # what the index answers
    why: str = ""  # the detail, for the record only


def job_claims(
    env: Mapping[str, str], workflow: Workflow, audience: str, now: int, jti: str
) -> dict[str, object] | str:
    """The claims of the identity token GitHub would hand the job whose environment is `env`,
    or why it would hand none."""
    job = env.get("GITHUB_JOB", "")
    wanted = [n for n in _JOB_VARIABLES if not env.get(n)]
    if wanted:
        return f"the asking process is no job of this run ({', '.join(wanted)} not set)"
    if job not in workflow.id_token:
        return f"job {job} lacks `permissions: id-token: write`: GitHub gives it no identity token"
    repository, ref = env["GITHUB_REPOSITORY"], env["GITHUB_REF"]
    workflow_ref = f"{repository}/.github/workflows/{workflow.file}@{ref}"
    environment = workflow.environments.get(job, "")
    where = f"environment:{environment}" if environment else f"ref:{ref}"
    claims: dict[str, object] = {
        "iss": ISSUER, "aud": audience, "sub": f"repo:{repository}:{where}",
        "repository": repository,
        "repository_owner": env.get("GITHUB_REPOSITORY_OWNER") or repository.split("/")[0],
        "ref": ref, "ref_type": env.get("GITHUB_REF_TYPE") or _ref_type(ref),
        "sha": env["GITHUB_SHA"],
        "workflow": env.get("GITHUB_WORKFLOW", ""), "workflow_ref": workflow_ref,
        "workflow_sha": env["GITHUB_SHA"], "job_workflow_ref": workflow_ref,
        "job_workflow_sha": env["GITHUB_SHA"], "event_name": env.get("GITHUB_EVENT_NAME", ""),
        "run_id": env.get("GITHUB_RUN_ID", ""), "run_number": env.get("GITHUB_RUN_NUMBER", ""),
        "run_attempt": env.get("GITHUB_RUN_ATTEMPT", ""), "actor": env.get("GITHUB_ACTOR", ""),
        "runner_environment": "self-hosted",
        "iat": now, "nbf": now - NOT_BEFORE, "exp": now + LIFETIME, "jti": jti,
    }  # fmt: skip
    if environment:
        claims["environment"] = environment
    return claims


def match(publisher: Publisher | None, claims: Mapping[str, object]) -> Refusal | None:
    """None when `publisher` takes a token with these claims, else PyPI's refusal."""
    if publisher is None:
        return _refused("no trusted publisher is registered on this index")
    text = {name: str(value) for name, value in claims.items() if value is not None}
    missing = [n for n in ("sub", "repository", "job_workflow_ref", "jti") if not text.get(n)]
    if missing or not (text.get("ref") or text.get("sha")):
        return _refused(f"missing claims: {', '.join(missing) or 'ref and sha'}")
    differs = _lookup(publisher, text)
    if differs:
        return _refused("; ".join(differs))
    return _check(publisher, text)


def workflow_file(job_workflow_ref: str) -> str | None:
    found = _WORKFLOW_FILE.search(job_workflow_ref)
    return found.group(0) if found else None


def _lookup(publisher: Publisher, claims: Mapping[str, str]) -> list[str]:
    """What keeps the publisher from being found by the token's repository, workflow file and
    environment (case-insensitive, as GitHub's names are)."""
    found = {
        "repository": claims["repository"],
        "workflow": workflow_file(claims["job_workflow_ref"]) or "",
        "environment": claims.get("environment", ""),
    }
    wanted = {"repository": publisher.repository, "workflow": publisher.workflow}
    if publisher.environment:
        wanted["environment"] = publisher.environment
    return [
        f"{name}: the publisher names {value!r}, the token {found[name]!r}"
        for name, value in wanted.items()
        if value.lower() != found[name].lower()
    ]


def _check(publisher: Publisher, claims: Mapping[str, str]) -> Refusal | None:
    owner, _, name = claims["sub"].partition(":")[2].partition(":")[0].partition("/")
    if f"{owner}/{name}".lower() != publisher.repository.lower():
        return _refused(f"sub {claims['sub']!r} names another repository")
    base = f"{publisher.repository.lower()}/.github/workflows/{publisher.workflow}"
    expected = {f"{base}@{claims[ref]}" for ref in ("ref", "sha") if claims.get(ref)}
    owner_repo, _, rest = claims["job_workflow_ref"].partition("/.github/")
    if f"{owner_repo.lower()}/.github/{rest}" not in expected:  # GitHub's names ignore case
        given = claims["job_workflow_ref"]
        return _refused(f"job_workflow_ref {given!r} is none of {sorted(expected)}")
    return None


def _refused(why: str) -> Refusal:
    return Refusal("invalid-publisher", f"{NO_PUBLISHER} ({NOT_FOUND})", why)


def _ref_type(ref: str) -> str:
    return "tag" if ref.startswith("refs/tags/") else "branch"
