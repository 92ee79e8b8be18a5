"""`[tool.staged-release.e2e]`: the services an end-to-end test needs, how each shows it is ready,
the setup that may only follow readiness, and the verify steps (parsed, pure).

The schema (settings.schema.json) has checked the types and keys when this reads the table; what
a schema cannot say — one source per service, placeholders that name something known at that
point, setup steps in an order where each uses only earlier ones — is checked here, so a mistake
stops the run before anything is built or started.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from release.config._profiles import profile_setup, with_profile
from release.config.placeholders import PLAIN, names
from release.core.errors import ConfigError

DEFAULT_STACK_BUDGET = 1800.0  # seconds for the whole stack: builds, waits, setup, verify
DEFAULT_SERVICE_BUDGET = 300.0  # seconds for one service to become ready
DEFAULT_SETUP_BUDGET = 600.0  # seconds for one setup step
TABLE = "[tool.staged-release.e2e]"
_SOURCES = ("build", "image", "candidate")


class Start(enum.StrEnum):
    FIRST = "first"  # before the setup
    AFTER_SETUP = "after-setup"  # once every setup step ran: it may use their values


@dataclass(frozen=True)
class HttpProbe:
    url: str  # a path on the service's 127.0.0.1 port, or a full URL
    status: tuple[int, ...] = ()  # accepted statuses; empty: any 2xx
    json_key: str | None = None  # the JSON object body must hold this key


@dataclass(frozen=True)
class CommandProbe:
    command: tuple[str, ...]  # run inside the service's container; exit 0 means ready


Probe = HttpProbe | CommandProbe


@dataclass(frozen=True)
class Service:
    name: str
    # Exactly one of the three says what runs: a directory (relative to the project) holding a
    # Dockerfile, built FROM the base; an image the engine has or can pull; the variant under test.
    build: str | None = None
    image: str | None = None
    candidate: str | None = None  # raw, nginx or granian
    port: int | None = None  # None: a free 127.0.0.1 port
    env: Mapping[str, str] = field(default_factory=dict)
    command: tuple[str, ...] | None = None
    start: Start = Start.FIRST
    budget: float = DEFAULT_SERVICE_BUDGET
    ready: Probe | None = None  # None: ready once its container runs
    profile: str | None = None


@dataclass(frozen=True)
class HttpRequest:
    url: str
    method: str = "GET"
    body: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SetupStep:
    name: str  # its stripped output becomes {setup.NAME}
    inside: str | None = None  # `in`: the service whose container runs `run`
    run: tuple[str, ...] = ()
    http: HttpRequest | None = None  # or a request from the host; the body is the value
    secret: bool = False  # redacted from every log, error and report
    budget: float = DEFAULT_SETUP_BUDGET


@dataclass(frozen=True)
class VerifyStep:
    name: str
    run: tuple[str, ...]  # run on the host by the caller, which owns the Python environment


@dataclass(frozen=True)
class Stack:
    services: tuple[Service, ...]
    setup: tuple[SetupStep, ...] = ()
    verify: tuple[VerifyStep, ...] = ()
    budget: float = DEFAULT_STACK_BUDGET

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)


def parse_e2e(table: dict[str, Any] | None) -> Stack | None:
    """The stack the table declares (None without a table); its profiles applied."""
    if table is None:
        return None
    services = [with_profile(s) for s in table.get("services", [])]
    stack = Stack(
        services=tuple(_service(s) for s in services),
        setup=tuple(_setup(s) for s in profile_setup(services, table.get("setup", []))),
        verify=tuple(VerifyStep(v["name"], tuple(v["run"])) for v in table.get("verify", [])),
        budget=float(table.get("budget", DEFAULT_STACK_BUDGET)),
    )
    check_stack(stack)
    return stack


def _service(table: dict[str, Any]) -> Service:
    return Service(
        name=table["name"],
        **_source(table),
        port=table.get("port"),
        env=dict(table.get("env", {})),
        command=tuple(table["command"]) if "command" in table else None,
        start=Start(table.get("start", Start.FIRST)),
        budget=float(table.get("budget", DEFAULT_SERVICE_BUDGET)),
        ready=_probe(table["name"], table["ready"]) if "ready" in table else None,
        profile=table.get("profile"),
    )


def _source(table: dict[str, Any]) -> dict[str, str]:
    given = [key for key in _SOURCES if key in table]
    if len(given) != 1:
        raise ConfigError(
            f"{TABLE} service {table['name']!r} names {' and '.join(given) or 'no image'}",
            hint='give exactly one of build = "DIR", image = "REF" or candidate = "raw"',
        )
    return {given[0]: table[given[0]]}


def _probe(service: str, ready: dict[str, Any]) -> Probe:
    if ("http" in ready) == ("command" in ready):
        raise ConfigError(
            f"{TABLE} service {service!r}: its ready table needs one of http or command",
            hint='http = "/health" (answers 2xx) or command = ["pg_isready", ...] (exits 0)',
        )
    if "command" in ready:
        if {"status", "json-key"} & ready.keys():
            raise ConfigError(
                f"{TABLE} service {service!r}: status and json-key judge an http probe",
                hint="drop them, or probe with http instead of command",
            )
        return CommandProbe(tuple(ready["command"]))
    return HttpProbe(ready["http"], tuple(ready.get("status", ())), ready.get("json-key"))


def _setup(table: dict[str, Any]) -> SetupStep:
    inside, run, http = table.get("in"), tuple(table.get("run", ())), table.get("http")
    if (http is None) == (inside is None) or (inside is not None) != bool(run):
        raise ConfigError(
            f"{TABLE} setup step {table['name']!r} must either run a command in a service or "
            "send an http request",
            hint='in = "SERVICE" with run = ["..."], or http = { url = "..." }',
        )
    return SetupStep(
        table["name"], inside, run, _request(http) if http else None,
        bool(table.get("secret", False)), float(table.get("budget", DEFAULT_SETUP_BUDGET)),
    )  # fmt: skip


def _request(table: dict[str, Any]) -> HttpRequest:
    return HttpRequest(
        table["url"], table.get("method", "GET"), table.get("body"), dict(table.get("headers", {}))
    )


def check_stack(stack: Stack) -> None:
    """What the schema cannot see: unique names and ports, where setup runs, placeholders."""
    _unique("service", [s.name for s in stack.services])
    _unique("setup step", [s.name for s in stack.setup])
    _unique("verify step", [v.name for v in stack.verify])
    _unique("port", [str(s.port) for s in stack.services if s.port is not None])
    for step in stack.setup:
        _check_inside(stack, step)
    check_placeholders(stack)


def _unique(what: str, found: list[str]) -> None:
    twice = sorted(name for name, count in Counter(found).items() if count > 1)
    if twice:
        raise ConfigError(
            f"{TABLE} has two of the {what} {twice[0]!r}",
            hint=f"every {what} needs its own (a profile's setup step is replaced by one of its "
            "name)",
        )


def _check_inside(stack: Stack, step: SetupStep) -> None:
    if step.inside is None:
        return
    known = {s.name: s for s in stack.services}
    if step.inside not in known:
        raise ConfigError(
            f"{TABLE} setup step {step.name!r} runs in {step.inside!r}, which is no service",
            hint=f"services: {', '.join(known)}",
        )
    if known[step.inside].start is not Start.FIRST:
        raise ConfigError(
            f"{TABLE} setup step {step.name!r} runs in {step.inside!r}, which starts after setup",
            hint=f'start {step.inside!r} first (start = "first"), or run the step elsewhere',
        )


def check_placeholders(stack: Stack) -> None:
    """Every placeholder names something known where it is used: a service's own {port}, any
    service's port and url, and the values of setup steps that ran before."""
    made = [f"setup.{step.name}" for step in stack.setup]
    for owner, texts, known in _scopes(stack, made):
        for name in (n for text in texts for n in names(text)):
            if name not in known:
                raise ConfigError(
                    f"{TABLE} {owner} uses {{{name}}}, {_why(name, made)}", hint=_fix(name, made)
                )


def _scopes(stack: Stack, made: list[str]) -> Iterator[tuple[str, list[str], set[str]]]:
    """Who uses placeholders, in what, and which names they may use."""
    services = {f"services.{s.name}.{what}" for s in stack.services for what in ("port", "url")}
    for service in stack.services:
        setup = made if service.start is Start.AFTER_SETUP else []
        yield f"service {service.name!r}", _service_texts(service), {*PLAIN, *services, *setup}
    for index, step in enumerate(stack.setup):
        own = PLAIN if step.inside else ("project", "version")  # {port}: the service it runs in
        yield f"setup step {step.name!r}", _setup_texts(step), {*own, *services, *made[:index]}
    for verify in stack.verify:
        known = {"project", "version", *services, *made}
        yield f"verify step {verify.name!r}", list(verify.run), known


def _why(name: str, made: list[str]) -> str:
    if name in made:
        return "which is not made yet at that point"
    return "which is not known there"


def _fix(name: str, made: list[str]) -> str:
    if name in made:
        return ('a service using setup values needs start = "after-setup"; a setup step may use '
                "only the steps before it")  # fmt: skip
    return ("known: {project}, {version}, {services.NAME.port}, {services.NAME.url}, "
            "{setup.NAME}, and a service's own {port}; {{x}} is a literal {x}")  # fmt: skip


def _service_texts(service: Service) -> list[str]:
    texts = [*service.env.values(), *(service.command or ())]
    if isinstance(service.ready, HttpProbe):
        texts.append(service.ready.url)
    elif isinstance(service.ready, CommandProbe):
        texts += service.ready.command
    return texts


def _setup_texts(step: SetupStep) -> list[str]:
    texts = list(step.run)
    if step.http is not None:
        texts += [step.http.url, step.http.body or "", *step.http.headers.values()]
    return texts
