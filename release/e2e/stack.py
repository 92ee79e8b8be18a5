"""The E2E stack runner: the services of `[tool.staged-release.e2e]` up, each past its readiness
gate, the setup only after that, then the verify steps — and everything removed after.

    build the `build =` images → start the `first` services → wait for every probe
    → setup steps, in order → start the `after-setup` services → wait for their probes
    → verify steps, in order

A backing service such as NetBox may migrate for 20 minutes before it answers at all, and nothing
may create tokens or configure endpoints against it before then: so the setup waits for every
started service's probe, each within its own budget and all within the stack's. On any way out —
success, failure, time out, a signal (runner.CANCEL, checked in every wait) — the logs of every
container are saved to `<logs>/<service>.log` (secrets redacted) and everything labelled with
`label` (containers, volumes, networks, built images) is removed.

A running stack's state and timeline are release.e2e._run's; what its probes ask, and how one
look goes, release.e2e._looks'.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import docker
import httpx

from release.config.e2e import Service, SetupStep, Stack, Start, VerifyStep
from release.config.placeholders import expand, expand_all, service_url
from release.containers.engine import Engine, remove_labelled
from release.core.errors import CheckFailed, ConfigError, Interrupted, ReleaseError
from release.core.progress import Progress
from release.core.service import free_port
from release.core.text import redact
from release.e2e import _docker as e2e_docker
from release.e2e import _looks as e2e_looks
from release.e2e import _setup as e2e_setup
from release.e2e._readiness import Gate, wait_ready
from release.e2e._run import StackResult as StackResult  # re-exported: its callers know it here
from release.e2e._run import StackRun

Verify = Callable[[str, list[str], dict[str, str]], None]
# What a failure of the stack raises: ours, and the engine's or HTTP's own errors.
_FAILURES = (ReleaseError, docker.errors.DockerException, httpx.HTTPError, OSError)


def run_stack(
    engine: Engine, stack: Stack, *, project: Path, version: str, base: str,
    candidates: Mapping[str, str], verify: Verify, logs: Path, label: str, progress: Progress,
    rebuild: bool = False,
) -> StackResult:  # fmt: skip
    """Run the stack and remove it; a failure raises CheckFailed naming the saved logs.

    `candidates` maps each variant the stack runs to an image; `verify(name, argv, env)` runs a
    verify step on the host (env: E2E_<SERVICE>_URL and _PORT, E2E_SETUP_<NAME>) and raises a
    ReleaseError when it fails."""
    images = _preflight(stack, project, candidates)
    run = StackRun(engine, stack, project, version, logs, label, progress, _ports(stack))
    with _removed_after(run):
        try:
            _build(run, images, base, rebuild)
            _bring_up(run, [s for s in stack.services if s.start is Start.FIRST])
            for step in stack.setup:
                _setup(run, step)
            _bring_up(run, [s for s in stack.services if s.start is Start.AFTER_SETUP])
            for check in stack.verify:
                _verify(run, check, verify)
        except BaseException as exc:  # noqa: BLE001 - the logs are saved, then it is raised as the failure
            _save_logs(run)
            raise _failure(run, exc) from None
        _save_logs(run)
        return run.result()


def _preflight(stack: Stack, project: Path, candidates: Mapping[str, str]) -> dict[str, str]:
    """What each service runs, known before anything is built or started: a `build` directory
    (to build), an image reference, or the caller's image of a variant."""
    return {service.name: _source(service, project, candidates) for service in stack.services}


def _source(service: Service, project: Path, candidates: Mapping[str, str]) -> str:
    if service.build is not None:
        folder = project / service.build
        if not (folder / "Dockerfile").is_file():
            raise ConfigError(
                f"the E2E service {service.name!r} builds {folder}, which has no Dockerfile",
                hint="point build at a directory of the project that holds one",
            )
        return str(folder)
    if service.candidate is not None:
        if service.candidate not in candidates:
            raise ConfigError(
                f"the E2E service {service.name!r} runs the {service.candidate} image, and none "
                "was given",
                hint="the stage builds the variants its stack names; is [tool.staged-release"
                ".images] declared?",
            )
        return candidates[service.candidate]
    assert service.image is not None  # the settings hold exactly one of the three
    return service.image


def _ports(stack: Stack) -> dict[str, int]:
    return {s.name: s.port if s.port is not None else free_port() for s in stack.services}


@contextmanager
def _removed_after(run: StackRun) -> Iterator[None]:
    try:
        yield
    finally:
        run.progress.doing("removing the E2E stack")
        remove_labelled(run.engine, run.label)  # its built images stay: the stack cache


def _build(run: StackRun, images: dict[str, str], base: str, rebuild: bool) -> None:
    """Every image before any container starts: from the stack cache (built when its context or
    base changed, or with `rebuild`), or found in the engine (pulled when absent), or the
    caller's candidate."""
    for service in run.stack.services:
        if service.build is not None:
            since = run.begin(f"the image of {service.name}")
            folder = Path(images[service.name])
            image, reused = e2e_docker.cached_image(
                run.engine, folder, base, service.name, run.left(), rebuild=rebuild
            )
            run.record("build", service.name, since)
            if reused:
                run.progress.doing(f"reused the cached image of {service.name}")
        elif service.image is not None:
            run.progress.doing(f"finding the image {service.image}")
            image = e2e_docker.present_image(run.engine, images[service.name])
        else:
            image = images[service.name]
        run.images[service.name] = image


def _bring_up(run: StackRun, services: list[Service]) -> None:
    """Start them in order, then wait for each to be ready (each budget counts from its start)."""
    for service in services:
        _start(run, service)
    for service in services:
        _await(run, service)


def _start(run: StackRun, service: Service) -> None:
    since = run.begin(f"starting {service.name}")
    image, values = run.images[service.name], run.values(service.name)
    env = {name: expand(value, values) for name, value in service.env.items()}
    if service.candidate is not None:
        env.setdefault("PORT", str(run.ports[service.name]))  # where our images listen
    command = expand_all(service.command, values) if service.command else None
    name = f"{run.label}-{service.name}"
    container = e2e_docker.start(run.engine, image, command, name=name, label=run.label, env=env)
    run.containers[service.name] = container
    run.started[service.name] = time.monotonic()
    run.record("start", service.name, since)


def _await(run: StackRun, service: Service) -> None:
    """Wait at its readiness gate (release.e2e._readiness)."""
    gate = Gate(
        service.name, e2e_looks.describe(run, service), service.budget, run.started[service.name],
        run.deadline, run.stack.budget, lambda budget: e2e_looks.look(run, service, budget),
        lambda: e2e_looks.exited(run, service),
    )  # fmt: skip
    wait_ready(gate, run.progress)
    run.record("ready", service.name, run.started[service.name])


def _setup(run: StackRun, step: SetupStep) -> None:
    """One setup step (release.e2e._setup); its value is known from here on."""
    since = run.begin(f"setup {step.name}")
    at = e2e_setup.Context(
        run.values(step.inside), frozenset(run.secrets), max(1.0, min(step.budget, run.left())),
        run.logs / "setup" / f"{step.name}.log",
    )  # fmt: skip
    if step.inside is not None:
        value = e2e_setup.run_inside(run.engine, run.containers[step.inside], step, at)
    else:
        value = e2e_setup.send(step, at)
    if step.secret:
        run.secrets.add(value)
    run.made[step.name] = value
    run.record("setup", step.name, since)


def _verify(run: StackRun, check: VerifyStep, verify: Verify) -> None:
    since = run.begin(f"verify {check.name}")
    env = verify_env(run.ports, run.made, frozenset(run.secrets))
    verify(check.name, list(expand_all(check.run, run.values())), env)
    run.record("verify", check.name, since)


def verify_env(
    ports: Mapping[str, int], made: Mapping[str, str], secrets: frozenset[str]
) -> dict[str, str]:
    """E2E_<SERVICE>_URL and _PORT of every service, E2E_SETUP_<NAME> of every setup value; a
    secret also as E2E_SECRET_<NAME>, a name runner redacts whatever the step is called."""
    env: dict[str, str] = {}
    for service, port in ports.items():
        env[f"E2E_{_variable(service)}_URL"] = service_url(port)
        env[f"E2E_{_variable(service)}_PORT"] = str(port)
    for step, value in made.items():
        env[f"E2E_SETUP_{_variable(step)}"] = value
        if value in secrets:
            env[f"E2E_SECRET_{_variable(step)}"] = value
    return env


def _variable(name: str) -> str:
    return name.upper().replace("-", "_")


def _save_logs(run: StackRun) -> None:
    """Every container's log to <logs>/<service>.log, redacted."""
    for service, container in run.containers.items():
        path = run.logs / f"{service}.log"
        if e2e_docker.save_log(container, path, run.secrets):
            run.saved[service] = path


def _failure(run: StackRun, exc: BaseException) -> BaseException:
    """The error to raise: redacted, naming the saved logs. An interruption stays itself (its
    exit code says which signal), and so does anything that is no failure of the stack."""
    if isinstance(exc, Interrupted) or not isinstance(exc, _FAILURES):
        return exc
    if isinstance(exc, ReleaseError):
        message, hint = exc.message, exc.hint
    else:
        message, hint = f"the E2E stack failed: {exc}", None
    logs = ", ".join(str(p) for p in run.saved.values())
    where = f"the containers' logs: {logs}" if logs else f"logs in {run.logs}"
    hint = "; ".join(part for part in (hint, where) if part)
    log = str(next(iter(run.saved.values()), run.logs))
    return CheckFailed(redact(message, run.secrets), redact(hint, run.secrets), log=log)
