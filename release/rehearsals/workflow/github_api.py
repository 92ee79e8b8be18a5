"""A stand-in of the GitHub REST API calls the release jobs make, for the workflow rehearsal.

It answers from the rehearsal's own record: each event the rehearsal sent is a run of the
release workflow (its event, its tag as `head_branch`, and once act is done its conclusion),
listed as GitHub lists a workflow's runs. It takes only the job token act hands the jobs
(`github.token`), and only for the rehearsed repository. The jobs reach it through
STAGED_RELEASE_GITHUB_API, honoured only under STAGED_RELEASE_INDEXES=stand-ins.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from release.github.api import API_ENV
from release.rehearsals.workflow.trusted import Request, Response, json_response, serve

_RUNS = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/actions/workflows/(?P<file>[^/]+)/runs$")
_RELEASES = re.compile(r"^(?P<up>/uploads)?/repos/(?P<repo>[^/]+/[^/]+)/releases"
                       r"(?:/tags/(?P<tag>[^/]+)|/(?P<id>\d+)(?P<assets>/assets)?)?$")  # fmt: skip


@dataclass
class Runs:
    """The runs of the release workflow, as the rehearsal sends its events."""

    workflow: str  # its file name, release.yml
    entries: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def begin(self, event: str, head_branch: str) -> int:
        """A run starting now; its id (ids grow, as GitHub's do)."""
        with self.lock:
            number = len(self.entries) + 1
            self.entries.append({"id": number, "event": event, "head_branch": head_branch,
                                 "status": "in_progress", "conclusion": None,
                                 "path": f".github/workflows/{self.workflow}"})  # fmt: skip
            return number

    def end(self, number: int, passed: bool) -> None:
        with self.lock:
            run = self.entries[number - 1]
            run.update(status="completed", conclusion="success" if passed else "failure")

    def listed(self, branch: str | None, event: str | None) -> list[dict[str, Any]]:
        """Newest first, as GitHub lists them."""
        with self.lock:
            found = [
                dict(run)
                for run in self.entries
                if branch in (None, run["head_branch"]) and event in (None, run["event"])
            ]
        return sorted(found, key=lambda run: -int(run["id"]))  # fmt: skip


@dataclass
class Releases:
    """The GitHub Releases the jobs made, with their assets' sizes and sha256 (for the report)."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def answer(self, request: Request, found: re.Match[str], origin: str) -> Response:
        with self.lock:
            if found["tag"]:
                hit = [r for r in self.entries if r["tag_name"] == found["tag"]]
                return json_response(200, hit[0]) if hit else json_response(404, _MISSING)
            if found["id"] is None:
                return self._create(request, found["repo"], origin)
            number = int(found["id"])
            if not 0 < number <= len(self.entries):
                return json_response(404, _MISSING)
            release = self.entries[number - 1]
            if found["assets"]:
                return self._attach(release, request)
            release.update(_fields(request))
            return json_response(200, release)

    def _create(self, request: Request, repo: str, origin: str) -> Response:
        number, fields = len(self.entries) + 1, _fields(request)
        page = f"https://github.com/{repo}/releases/tag/{fields.get('tag_name')}"
        uploads = f"{origin}/uploads/repos/{repo}/releases/{number}/assets{{?name,label}}"
        release = {"id": number, "assets": [], **fields, "html_url": page, "upload_url": uploads}
        self.entries.append(release)
        return json_response(201, release)

    def _attach(self, release: dict[str, Any], request: Request) -> Response:
        name = (parse_qs(urlsplit(request.path).query).get("name") or [""])[0]
        if not name or any(a["name"] == name for a in release["assets"]):
            return json_response(422, {"message": "Validation Failed: already_exists"})
        asset = {"name": name, "size": len(request.body),
                 "sha256": hashlib.sha256(request.body).hexdigest()}  # fmt: skip
        release["assets"].append(asset)
        return json_response(201, asset)


_MISSING = {"message": "Not Found"}


def _fields(request: Request) -> dict[str, Any]:
    data = json.loads(request.body or b"{}")
    keep = ("tag_name", "name", "body", "draft", "prerelease")
    return {key: data[key] for key in keep if key in data} if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Api:
    repository: str  # OWNER/NAME, the rehearsed repository
    token: str = field(repr=False)  # the job token act hands every job
    runs: Runs = field(default_factory=lambda: Runs("release.yml"))
    releases: Releases = field(default_factory=Releases)

    def __call__(self, request: Request) -> Response:
        if request.header("Authorization") != f"Bearer {self.token}":
            return json_response(401, {"message": "Bad credentials"})
        parts = urlsplit(request.path)
        release = _RELEASES.match(parts.path)
        if release is not None and release["repo"] == self.repository:
            origin = f"http://{request.header('Host')}"
            return self.releases.answer(request, release, origin)
        found = _RUNS.match(parts.path)
        if request.method != "GET" or found is None:
            return json_response(404, {"message": "Not Found (not emulated by the rehearsal)"})
        if found["repo"] != self.repository or found["file"] != self.runs.workflow:
            return json_response(404, _MISSING)
        return json_response(200, self._runs(parse_qs(parts.query)))

    def _runs(self, query: dict[str, list[str]]) -> dict[str, Any]:
        listed = self.runs.listed(_one(query, "branch"), _one(query, "event"))
        size = int(_one(query, "per_page") or 30)
        page = int(_one(query, "page") or 1)
        return {"total_count": len(listed), "workflow_runs": listed[(page - 1) * size :][:size]}


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


@contextmanager
def serving(api: Api) -> Iterator[dict[str, str]]:
    """The stand-in on a loopback port for the block; yields the variable the jobs read."""
    with serve(api) as origin:
        yield {API_ENV: origin}
