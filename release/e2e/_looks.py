"""What a service's readiness probe asks, and one look at it: an HTTP request from the host, a
command in its container, or only whether the container still runs.

A look never raises for what the service answers: no answer, a refusal, a command that timed
out are answers like any other, judged by release.e2e._probes, and the gate keeps looking.
"""

from __future__ import annotations

import httpx

from release.config.e2e import CommandProbe, HttpProbe, Service
from release.config.placeholders import HOST, expand, expand_all
from release.core.errors import CommandTimedOut
from release.e2e import _docker as e2e_docker
from release.e2e import _probes as e2e_probes
from release.e2e._run import StackRun

_HTTP_ERRORS = (httpx.HTTPError, OSError)


def describe(run: StackRun, service: Service) -> str:
    """What the probe asks, for progress lines and errors."""
    if isinstance(service.ready, HttpProbe):
        return f"GET {_probe_url(run, service, service.ready)}"
    if isinstance(service.ready, CommandProbe):
        argv = expand_all(service.ready.command, run.values(service.name))
        return f"`{' '.join(argv)}` in its container"
    return "its container running"


def look(run: StackRun, service: Service, budget: float) -> e2e_probes.Answer:
    """One look, taking at most `budget` seconds."""
    if isinstance(service.ready, HttpProbe):
        return _look_http(_probe_url(run, service, service.ready), service.ready, budget)
    if isinstance(service.ready, CommandProbe):
        argv = expand_all(service.ready.command, run.values(service.name))
        return _look_inside(run, service, argv, budget)
    code = e2e_docker.exited(run.containers[service.name])
    return e2e_probes.Answer(code is None, "running" if code is None else f"exited with {code}")


def exited(run: StackRun, service: Service) -> str | None:
    """Why the service can never be ready (its container exited, and how), None while it runs."""
    container = run.containers[service.name]
    code = e2e_docker.exited(container)
    if code is None:
        return None
    return f"exited with {code}: {e2e_docker.tail(container, run.secrets)}"


def _probe_url(run: StackRun, service: Service, probe: HttpProbe) -> str:
    url = expand(probe.url, run.values(service.name))
    return f"http://{HOST}:{run.ports[service.name]}{url}" if url.startswith("/") else url


def _look_http(url: str, probe: HttpProbe, budget: float) -> e2e_probes.Answer:
    try:
        answer = httpx.get(url, timeout=budget)
    except _HTTP_ERRORS as exc:
        return e2e_probes.unreachable(f"{type(exc).__name__}: {exc}" if str(exc) else repr(exc))
    return e2e_probes.judge_http(answer.status_code, answer.text, probe.status, probe.json_key)


def _look_inside(
    run: StackRun, service: Service, argv: tuple[str, ...], budget: float
) -> e2e_probes.Answer:
    container = run.containers[service.name]
    try:
        done = e2e_docker.execute(run.engine, container, argv, timeout=budget, secrets=run.secrets)
    except CommandTimedOut as exc:  # an answer like any other: keep looking
        return e2e_probes.unreachable(exc.message)
    return e2e_probes.judge_command(done.returncode, done.stdout + done.stderr)
