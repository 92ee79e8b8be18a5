"""Trusted publishing for real in the workflow rehearsal: PyPI's side and GitHub's side of the
exchange, run on this machine in front of the devpi stand-in.

- One front per index (TestPyPI, PyPI), each on an origin of its own as the real ones are:
  reads pass through to devpi, `/_/oidc/audience` and `/_/oidc/mint-token` answer as PyPI's do
  against the publisher registered for that index, and an upload is taken only with a token the
  front minted and that has not expired (or its configured API token).
- The CI's token endpoint for ACTIONS_ID_TOKEN_REQUEST_URL: it tells the asking job by its
  process and puts in the claims GitHub would (see _identity).
- A record of every exchange and upload for the report; no secret is ever in it.

The jobs reach all this through `TrustedPublishing.env()`: STAGED_RELEASE_INDEXES=stand-ins,
the two fronts' upload URLs and GitHub's two token variables. Everything stops with the block.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from release.index.profiles import (
    MODE_ENV,
    RELEASE,
    STAGING,
    STAND_IN_URL_ENV,
    LocalEndpoints,
    Mode,
)
from release.rehearsals.workflow.trusted import _peer
from release.rehearsals.workflow.trusted._ci import TokenEndpoint
from release.rehearsals.workflow.trusted._clock import SteppingClock
from release.rehearsals.workflow.trusted._front import Front
from release.rehearsals.workflow.trusted._http import Request, Response, json_response, serve
from release.rehearsals.workflow.trusted._identity import Publisher, Workflow
from release.rehearsals.workflow.trusted._record import Entry, Record

__all__ = ["LIFETIME", "Entry", "IndexFront", "Publisher", "Record", "Request", "Response",
           "TrustedPublishing", "Workflow", "json_response", "serve",
           "trusted_publishing"]  # fmt: skip

TOKEN_URL_ENV = "ACTIONS_ID_TOKEN_REQUEST_URL"
REQUEST_TOKEN_ENV = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
LIFETIME = 900.0  # seconds a minted upload token is good for: PyPI's 15 minutes
_TOKEN_PATH = "/idtoken?api-version=2.0"  # GitHub's URL carries a query too; `id` adds to it


@dataclass(frozen=True)
class IndexFront:
    role: str  # "testpypi" or "pypi"
    publisher: Publisher | None = None  # None: no trusted publisher registered on this index
    api_token: str | None = field(default=None, repr=False)  # a long-lived token it also takes


@dataclass(frozen=True)
class TrustedPublishing:
    upload_urls: Mapping[str, str]  # role -> the front's upload URL, http://127.0.0.1:P/root/ROLE/
    token_url: str  # ACTIONS_ID_TOKEN_REQUEST_URL
    request_token: str = field(repr=False)  # ACTIONS_ID_TOKEN_REQUEST_TOKEN: a secret
    record: Record = field(default_factory=Record)

    def env(self) -> dict[str, str]:
        """The variables a job needs to reach the stand-ins (the token is a secret: hand it to
        act through its environment or a file only we can read, never through argv)."""
        urls = {STAND_IN_URL_ENV[role]: url for role, url in self.upload_urls.items()}
        token = {TOKEN_URL_ENV: self.token_url, REQUEST_TOKEN_ENV: self.request_token}
        return {MODE_ENV: Mode.STAND_INS.value, **urls, **token}


@contextmanager
def trusted_publishing(
    devpi: LocalEndpoints,
    workflow: Workflow,
    fronts: Sequence[IndexFront] = (IndexFront(STAGING), IndexFront(RELEASE)),
    *,
    lifetime: float = LIFETIME,
    clock_step: float = 0.0,
    proc: Path = _peer.PROC,
    clock: Callable[[], float] = time.time,
) -> Iterator[TrustedPublishing]:
    """Run the fronts of `fronts` before the running `devpi`, and the CI's token endpoint for
    the jobs of `workflow`, for the duration of the block. Their clock is `clock`, moved on by
    `clock_step` seconds at every read of an index (see _clock)."""
    clock = SteppingClock(clock_step, clock)
    roles = [front.role for front in fronts]
    if sorted(roles) != sorted({*roles} & {STAGING, RELEASE}):  # a caller's bug, not user input
        raise ValueError(f"one front per index of {STAGING}, {RELEASE}; given {roles}")
    key, request_token, record = secrets.token_bytes(32), secrets.token_urlsafe(32), Record()
    with ExitStack() as stack:
        http = stack.enter_context(httpx.Client(timeout=300.0))
        urls = {}
        for spec in fronts:
            front = Front(
                spec.role, devpi.base_url, spec.publisher, key=key, lifetime=lifetime,
                record=record, http=http, api_token=spec.api_token, proc=proc, clock=clock,
                on_read=clock.read,
            )  # fmt: skip
            urls[spec.role] = f"{stack.enter_context(serve(front))}/root/{spec.role}/"
        ci = TokenEndpoint(workflow, key, request_token, record, proc=proc, clock=clock)
        origin = stack.enter_context(serve(ci))
        yield TrustedPublishing(urls, origin + _TOKEN_PATH, request_token, record)
