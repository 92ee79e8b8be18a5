"""The CI's side of trusted publishing: the token endpoint a job reaches through
ACTIONS_ID_TOKEN_REQUEST_URL, as GitHub's answers it.

`GET ?audience=X` with `Authorization: bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>` answers
`{"value": <JWT>}` for the asking job (told by its process, see _peer); a wrong bearer gets
401, a process that is no job of the run or a job without `id-token: write` gets 403 (GitHub
would not have given that job the variables at all).
"""

from __future__ import annotations

import hmac
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from release.rehearsals.workflow.trusted import _jwt, _peer
from release.rehearsals.workflow.trusted._http import Request, Response, json_response
from release.rehearsals.workflow.trusted._identity import Workflow, job_claims
from release.rehearsals.workflow.trusted._record import Entry, Record, shown


class TokenEndpoint:
    def __init__(
        self, workflow: Workflow, key: bytes, request_token: str, record: Record, *,
        proc: Path = _peer.PROC, clock: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        self._workflow, self._key, self._request_token = workflow, key, request_token
        self._record, self._proc, self._clock = record, proc, clock

    def __call__(self, request: Request) -> Response:
        if request.method != "GET":
            return json_response(405, {"message": "method not allowed"})
        if not self._authorized(request.header("Authorization")):
            self._record.add(Entry("identity", "", "", "refused", "wrong or no request token"))
            return json_response(401, {"message": "Bad credentials"})
        env = self._job(request)
        if isinstance(env, str):
            return self._refuse("", env)
        query = parse_qs(urlsplit(request.path).query)
        owner = env.get("GITHUB_REPOSITORY", "").split("/")[0]
        audience = query.get("audience", [f"https://github.com/{owner}"])[0]
        claims = job_claims(env, self._workflow, audience, int(self._clock()), str(uuid.uuid4()))
        if isinstance(claims, str):
            return self._refuse(env.get("GITHUB_JOB", ""), claims)
        job = str(env["GITHUB_JOB"])
        self._record.add(Entry("identity", "", job, "ok", claims=shown(claims)))
        return json_response(200, {"value": _jwt.encode(claims, self._key)})

    def _authorized(self, header: str) -> bool:
        scheme, _, given = header.partition(" ")
        expected = self._request_token.encode()
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected)

    def _job(self, request: Request) -> Mapping[str, str] | str:
        """The environment of the job whose process asks, or why it cannot be told."""
        found = _peer.peer_environments(self._proc, request.client_port, request.server_port)
        jobs = [env for env in found if env.get("GITHUB_JOB")]
        named = sorted({env["GITHUB_JOB"] for env in jobs})
        if len(named) == 1:
            return jobs[0]
        if named:
            return f"the asking connection is held by processes of several jobs: {', '.join(named)}"
        return "the asking process is no job of this run (no GITHUB_JOB in its environment)"

    def _refuse(self, job: str, why: str) -> Response:
        self._record.add(Entry("identity", "", job, "refused", why))
        return json_response(403, {"message": why})
