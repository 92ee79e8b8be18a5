"""The example service's E2E stack, by hand until the stack runner exists: its PostgreSQL image
(examples/notes-service/e2e/postgres) built on the offline base, the setup steps of its
[tool.staged-release.e2e] table run in that container, the service on the host with
DATABASE_URL, and its tests/e2e passing against both. Everything built or started here carries
one label and is removed after; the app is a host process of ours, stopped by its pid."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import tomllib
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import docker
import httpx
import pytest
import uv
from docker.models.containers import Container

from release.containers.engine import LABEL, Engine, remove_labelled
from release.core.service import free_port
from tests.integration.examples import NOTES

PATIENCE = 60.0  # seconds for PostgreSQL or the service to answer (measured: a few seconds)
_POLL = 0.1
Filled = TypeVar("Filled", str, list[str], dict[str, str])


@dataclass(frozen=True)
class Stack:
    db: Container
    db_port: int
    app_url: str
    setup: dict[str, str]  # setup step name -> value, as the table's steps printed them


@pytest.fixture(scope="module")
def e2e() -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads((NOTES / "pyproject.toml").read_text())
    return dict(table["tool"]["staged-release"]["e2e"])


@pytest.fixture(scope="module")
def label() -> str:
    return f"test-notes-pg-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def image(engine: Engine, base: str, e2e: dict[str, Any], label: str) -> Iterator[str]:
    (db,) = (s for s in e2e["services"] if s["name"] == "db")
    started = time.monotonic()
    try:
        built, _ = engine.client.images.build(
            path=str(NOTES / db["build"]), buildargs={"BASE": base}, network_mode="host",
            labels={LABEL: label}, rm=True, forcerm=True,
        )  # fmt: skip
    except docker.errors.BuildError as exc:
        log = "".join(str(line.get("stream") or line.get("error") or "") for line in exc.build_log)
        pytest.fail(f"building the postgres image failed: {exc.msg}\n{log[-3000:]}")
    print(f"postgres image built in {time.monotonic() - started:.1f} s")  # noqa: T201 - figures
    try:
        yield str(built.id)
    finally:
        remove_labelled(engine, label)
        engine.client.images.remove(str(built.id), force=True)


@pytest.fixture(scope="module")
def python() -> str:
    """The example's own environment (synced from its uv.lock): the service, uvicorn, pytest."""
    done = subprocess.run(
        [uv.find_uv_bin(), "run", "--project", str(NOTES), "--frozen", "--quiet",
         "python", "-c", "import sys; print(sys.executable)"],
        check=True, capture_output=True, text=True, env=_without_venv(os.environ),
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture(scope="module")
def stack(
    engine: Engine,
    image: str,
    e2e: dict[str, Any],
    label: str,
    python: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    db_spec, app_spec = (next(s for s in e2e["services"] if s["name"] == n) for n in ("db", "app"))
    db_port = free_port()
    values = {"{port}": str(db_port)}
    db = engine.client.containers.run(
        image, detach=True, network_mode="host", labels={LABEL: label},
        environment=_fill(db_spec["env"], values),
    )  # fmt: skip
    started = time.monotonic()
    _wait_ready(db, _fill(db_spec["ready"]["command"], values))
    print(f"postgres ready {time.monotonic() - started:.1f} s after it started")  # noqa: T201
    setup = {}
    for step in e2e["setup"]:  # in the table's order: the database step uses the password
        assert step["in"] == "db"
        setup[step["name"]] = _exec(db, _fill(step["run"], values))
        values[f"{{setup.{step['name']}}}"] = setup[step["name"]]
    app_port = free_port()
    values |= {"{port}": str(app_port), "{services.db.port}": str(db_port)}
    env = {**_without_venv(os.environ), **_fill(app_spec["env"], values)}
    log = tmp_path_factory.mktemp("app") / "uvicorn.log"
    with log.open("wb") as out:
        app = subprocess.Popen(
            [python, "-m", "uvicorn", "notes_service.app:app", "--host", "127.0.0.1",
             "--port", str(app_port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{app_port}"
        _wait_for(lambda: _status(url + app_spec["ready"]["http"]) == 200, app, log)
        yield Stack(db, db_port, url, setup)
    finally:
        app.send_signal(signal.SIGTERM)
        try:
            app.wait(timeout=15)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()


def test_the_setup_steps_print_a_secret_password_and_the_database_name(stack: Stack) -> None:
    password = stack.setup["password"]
    assert len(password) >= 32
    assert password.replace("-", "").replace("_", "").isalnum()  # no quoting in SQL or a URL
    assert stack.setup["database"] == "notes"


def test_the_e2e_suite_passes_against_the_service_on_postgres(
    stack: Stack, e2e: dict[str, Any], python: str, tmp_path: Path
) -> None:
    """The verify step as the table declares it, with the environment the runner promises."""
    (verify,) = e2e["verify"]
    argv = _fill(verify["run"], {"{project}": str(NOTES)})
    assert argv[0] == "pytest"
    env = {
        **_without_venv(os.environ),
        "PYTHONDONTWRITEBYTECODE": "1",  # nothing written into the example's source tree
        "E2E_APP_URL": stack.app_url,
        "E2E_DB_PORT": str(stack.db_port),
        **{f"E2E_SETUP_{name.upper()}": value for name, value in stack.setup.items()},
    }
    done = subprocess.run(
        [python, "-m", *argv, "-rs"], cwd=tmp_path, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert " passed" in output, output
    assert "skipped" not in output, output  # a missing variable must not pass as a skip


def test_health_is_503_while_postgres_is_down_and_recovers_after(
    stack: Stack, e2e: dict[str, Any]
) -> None:
    health = stack.app_url + "/health"
    stack.db.stop(timeout=10)
    assert _status(health) == 503
    # The same cluster comes back (the entrypoint keeps an initialised data dir), on the same
    # port; the service connects again by itself.
    stack.db.start()
    (db_spec,) = (s for s in e2e["services"] if s["name"] == "db")
    _wait_ready(stack.db, _fill(db_spec["ready"]["command"], {"{port}": str(stack.db_port)}))
    deadline = time.monotonic() + PATIENCE
    while (status := _status(health)) != 200 and time.monotonic() < deadline:
        time.sleep(_POLL)
    assert status == 200


def _fill(template: Filled, values: Mapping[str, str]) -> Filled:
    """The table's placeholders replaced (the few this stack uses), in a str, list or dict."""
    if isinstance(template, dict):
        return {key: _fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [_fill(item, values) for item in template]
    for placeholder, value in values.items():
        template = template.replace(placeholder, value)
    return template


def _without_venv(environ: Mapping[str, str]) -> dict[str, str]:
    """Our environment minus our virtualenv, so uv and the example's python use theirs."""
    return {k: v for k, v in environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}


def _wait_ready(db: Container, command: list[str]) -> None:
    deadline = time.monotonic() + PATIENCE
    while db.exec_run(command).exit_code != 0:
        db.reload()
        if db.status != "running" or time.monotonic() > deadline:
            logs = db.logs().decode(errors="replace")[-3000:]
            pytest.fail(f"postgres did not get ready (container {db.status}):\n{logs}")
        time.sleep(_POLL)


def _exec(container: Container, argv: list[str]) -> str:
    code, output = container.exec_run(argv, demux=True)
    assert isinstance(output, tuple)  # demuxed: (stdout, stderr), each bytes or None
    parts = cast("tuple[bytes | None, bytes | None]", output)  # the stubs know no demux
    out, err = (part.decode(errors="replace") if part is not None else "" for part in parts)
    assert code == 0, f"{argv[0]} failed ({code}): {err}{out}"
    return out.strip()


def _status(url: str) -> int | None:
    try:
        return httpx.get(url, timeout=5).status_code
    except httpx.TransportError:
        return None


def _wait_for(answers: Callable[[], bool], app: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + PATIENCE
    while not answers():
        if app.poll() is not None or time.monotonic() > deadline:
            why = f"exit {app.returncode}" if app.returncode is not None else "no answer"
            pytest.fail(f"the service did not get ready ({why}):\n{log.read_text()}")
        time.sleep(_POLL)
