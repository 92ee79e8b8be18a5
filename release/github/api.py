"""GitHub's REST API, the few calls a release job makes: the release workflow's runs (for the
gates at `plan`) and a Release for a tag.

The address is GITHUB_API_URL (GitHub sets it in every job), the repository GITHUB_REPOSITORY
and the token GITHUB_TOKEN, which the workflow maps into the step's `env:` from `github.token`.
A workflow rehearsal's jobs reach its stand-in through STAGED_RELEASE_GITHUB_API instead (act
sets GITHUB_API_URL itself), honoured only under STAGED_RELEASE_INDEXES=stand-ins, so a real
release never talks to anything but GitHub.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from release.core.errors import ConfigError, CredentialMissing, GitHubRefused, GitHubUnavailable
from release.index.profiles import MODE_ENV, Mode

API_ENV: Final = "STAGED_RELEASE_GITHUB_API"  # the rehearsal's stand-in, under stand-ins only
TOKEN_ENV: Final = "GITHUB_TOKEN"
DEFAULT_API: Final = "https://api.github.com"  # what GITHUB_API_URL holds on github.com
_PAGE = 100  # runs per page: GitHub's maximum
_PAGES = 10  # a tag with more runs than this is not a release's
_REGENERATE = "regenerate the workflow with `staged-release workflow` and commit it"


@dataclass(frozen=True)
class WorkflowRun:
    """One run of a workflow, as far as the gates read it."""

    id: int
    event: str  # push, release, workflow_dispatch, ...
    head_branch: str  # the tag, for a tag's push or release
    status: str  # queued, in_progress, completed
    conclusion: str | None  # success, failure, cancelled, ... once completed

    @property
    def state(self) -> str:
        return self.conclusion or self.status

    def describe(self) -> str:
        return f"{self.head_branch} (run {self.id}, {self.event}): {self.state}"


@dataclass(frozen=True)
class GitHubApi:
    base: str  # https://api.github.com, without a trailing slash
    repository: str  # OWNER/NAME
    token: str = field(repr=False)

    def workflow_runs(self, workflow: str, branch: str) -> list[WorkflowRun]:
        """The runs of `workflow` (its file name) whose head_branch is `branch` (a tag's)."""
        path = f"/repos/{self.repository}/actions/workflows/{workflow}/runs"
        runs: list[WorkflowRun] = []
        with self.client() as http:
            for page in range(1, _PAGES + 1):
                params = {"branch": branch, "per_page": str(_PAGE), "page": str(page)}
                listed = _runs(self.get(http, path, params))
                runs += listed
                if len(listed) < _PAGE:
                    break
        return runs

    def release_for(self, http: httpx.Client, tag: str) -> dict[str, Any] | None:
        """The Release of `tag` (one published from GitHub's page, say), or None."""
        try:
            found = self.get(http, f"/repos/{self.repository}/releases/tags/{tag}", {})
        except GitHubRefused as exc:
            if " with 404" in exc.message:
                return None
            raise
        return found if isinstance(found, dict) else None

    def save_release(self, http: httpx.Client, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Create the Release of fields["tag_name"], or update the one that exists."""
        path = f"{self.base}/repos/{self.repository}/releases"
        found = self.release_for(http, str(fields["tag_name"]))
        if found is None:
            saved = self.send(http, "POST", path, json=dict(fields))
        else:
            saved = self.send(http, "PATCH", f"{path}/{found.get('id')}", json=dict(fields))
        return saved if isinstance(saved, dict) else {}

    def upload_asset(
        self, http: httpx.Client, release: Mapping[str, Any], name: str, data: bytes
    ) -> None:
        """Attach `data` as asset `name` (GitHub's upload_url, its `{?name,label}` dropped)."""
        url = str(release.get("upload_url", "")).split("{", 1)[0]
        headers = {"Content-Type": "application/octet-stream"}
        self.send(http, "POST", url, params={"name": name}, content=data, headers=headers)

    def client(self) -> httpx.Client:
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        return httpx.Client(headers=headers, timeout=30.0)

    def get(self, http: httpx.Client, path: str, params: Mapping[str, str]) -> Any:
        return self.send(http, "GET", self.base + path, params=dict(params) or None)

    def send(self, http: httpx.Client, method: str, url: str, **kwargs: Any) -> Any:
        """The answer's JSON; GitHubRefused or GitHubUnavailable saying what went wrong."""
        try:
            answer = http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise GitHubUnavailable(
                f"cannot reach GitHub's API at {self.base}: {type(exc).__name__}",
                hint="re-run the job; GitHub's status page says whether the API is down",
            ) from None
        _check(answer, method, url)
        try:
            return answer.json() if answer.content else {}
        except ValueError:
            raise GitHubUnavailable(
                f"GitHub's API answered {method} {url} with something that is not JSON",
                hint="re-run the job",
            ) from None


def from_env(env: Mapping[str, str]) -> GitHubApi:
    """The API of the repository this job runs for; ConfigError or CredentialMissing when the
    job's environment lacks what a call needs."""
    repository = env.get("GITHUB_REPOSITORY", "")
    if "/" not in repository:
        raise ConfigError(
            "GITHUB_REPOSITORY is not set (OWNER/NAME): GitHub's API cannot be asked",
            hint="run this step in a GitHub Actions job, which sets it",
        )
    token = env.get(TOKEN_ENV, "")
    if not token:
        raise CredentialMissing(
            f"{TOKEN_ENV} is not set in this step: GitHub's API cannot be asked",
            hint=f"map `{TOKEN_ENV}: ${{{{ github.token }}}}` into the step's env: {_REGENERATE}",
        )
    return GitHubApi(_base(env).rstrip("/"), repository, token)


def _base(env: Mapping[str, str]) -> str:
    if env.get(MODE_ENV) == Mode.STAND_INS.value and env.get(API_ENV):
        return env[API_ENV]
    return env.get("GITHUB_API_URL") or DEFAULT_API


def _check(answer: httpx.Response, method: str, url: str) -> None:
    if answer.is_success:
        return
    code = answer.status_code
    said = _message(answer)
    what = f"GitHub's API answered {method} {url} with {code}" + (f": {said}" if said else "")
    if code == 401:
        hint = f"the step's {TOKEN_ENV} is not the job's token; {_REGENERATE}"
        raise GitHubRefused(what, hint=hint)
    if code in (403, 404):
        raise GitHubRefused(
            what,
            hint="the job's permissions lack what this call needs (plan: `actions: read`, "
            f"github_release, github_prerelease: `contents: write`); {_REGENERATE}",
        )
    raise GitHubUnavailable(what, hint="re-run the job")


def _message(answer: httpx.Response) -> str:
    try:
        data = answer.json()
    except ValueError:
        return ""
    return str(data.get("message", "")) if isinstance(data, dict) else ""


def _runs(data: Any) -> list[WorkflowRun]:
    listed = data.get("workflow_runs") if isinstance(data, dict) else None
    if not isinstance(listed, list):
        raise GitHubUnavailable(
            "GitHub's API answered a list of workflow runs without `workflow_runs`",
            hint="re-run the job",
        )
    return [_run(item) for item in listed if isinstance(item, dict)]


def _run(item: Mapping[str, Any]) -> WorkflowRun:
    return WorkflowRun(
        int(item.get("id") or 0),
        str(item.get("event") or ""),
        str(item.get("head_branch") or ""),
        str(item.get("status") or ""),
        str(item["conclusion"]) if item.get("conclusion") else None,
    )
