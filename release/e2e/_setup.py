"""One setup step of the E2E stack, run once every started service is ready: a command inside a
service's container, or an HTTP request from the host. What it prints (or answers), stripped, is
its value: `{setup.NAME}` for the steps, services and verify steps after it.

A step's output goes to its own log, with the secrets known so far redacted — and its own value
too when the step is secret, so a token never reaches a file, an error or a report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
from docker.models.containers import Container

from release.config.e2e import SetupStep
from release.config.placeholders import expand, expand_all
from release.containers.engine import Engine
from release.core import runner
from release.core.errors import CheckFailed
from release.core.text import redact
from release.e2e import _docker as e2e_docker
from release.e2e import _probes as e2e_probes

_HTTP_ERRORS = (httpx.HTTPError, OSError)


@dataclass(frozen=True)
class Context:
    values: Mapping[str, str]  # the placeholders' values at this point
    secrets: frozenset[str]  # the values to redact
    budget: float  # seconds the step may take
    log: Path  # where its output goes


def run_inside(engine: Engine, container: Container, step: SetupStep, at: Context) -> str:
    """Run the step in its service's container; its stripped stdout is its value."""
    argv = expand_all(step.run, at.values)
    done = e2e_docker.execute(engine, container, argv, timeout=at.budget, secrets=at.secrets)
    value = done.stdout.strip()
    hidden = _hidden(step, at, value)
    _write(at.log, redact(done.stdout + done.stderr, hidden))
    if done.returncode != 0:
        tail = runner.failure(done, hidden).tail
        raise CheckFailed(
            f"setup step {step.name!r} (in {step.inside}) exited with {done.returncode}"
            + (f": {tail}" if tail else ""),
            hint=f"its output: {at.log}",
        )
    return _nonempty(step, value, at)


def send(step: SetupStep, at: Context) -> str:
    """Send the step's request from the host; the stripped body of a 2xx answer is its value."""
    assert step.http is not None  # the settings give a step either `in` or `http`
    method, url = step.http.method, expand(step.http.url, at.values)
    answer = _request(step, at, url)
    value = answer.text.strip()
    _write(at.log, redact(f"{method} {url}\n{answer.text}", _hidden(step, at, value)))
    if not answer.is_success:
        said = e2e_probes.judge_http(answer.status_code, answer.text, (), None).summary
        raise CheckFailed(
            f"setup step {step.name!r}: {method} {url} answered {said}",
            hint=f"its answer: {at.log}",
        )
    return _nonempty(step, value, at)


def _request(step: SetupStep, at: Context, url: str) -> httpx.Response:
    assert step.http is not None
    body = expand(step.http.body or "", at.values)
    headers = {name: expand(value, at.values) for name, value in step.http.headers.items()}
    try:
        return httpx.request(
            step.http.method, url, content=body, headers=headers, timeout=at.budget
        )
    except _HTTP_ERRORS as exc:
        raise CheckFailed(
            f"setup step {step.name!r}: {step.http.method} {url} got no answer: {exc!r}",
            hint="is the service it asks one of the stack's, and started before this step?",
        ) from None


def _hidden(step: SetupStep, at: Context, value: str) -> frozenset[str]:
    return at.secrets | {value} if step.secret and value else at.secrets


def _nonempty(step: SetupStep, value: str, at: Context) -> str:
    if not value:
        raise CheckFailed(
            f"setup step {step.name!r} printed nothing, and its value is what it prints",
            hint=f"see its output: {at.log}",
        )
    return value


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
