"""The E2E stack runner on a real engine: readiness gates before setup, secrets kept out of logs
and errors, logs saved on failure, and nothing labelled left behind — after success, after a
failure, and after SIGTERM to a process running a stack.

NetBox itself cannot be pulled here (no Docker Hub). The netbox profile is tested against a
stand-in that behaves like a migrating NetBox: an image built FROM the base with a tiny
http.server answering 503 on /api/status/ for a few seconds, then 200 with
`{"netbox-version": "4.2.0"}`, and a fake /opt/netbox/netbox/manage.py that prints a token and
appends the time it ran to a file (the server reports both times at /_record).
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from release.config.e2e import Stack, parse_e2e
from release.config.settings import validate
from release.containers.engine import LABEL, Engine
from release.core import runner
from release.core.errors import CheckFailed
from release.core.progress import Progress
from release.core.service import free_port
from release.e2e.stack import StackResult, run_stack

MIGRATING = 3  # seconds the stand-in answers 503 before it is "migrated"
SERVER = """\
import http.server, json, os, time
began, ready_at = time.time(), None
port, migrating = int(os.environ["PORT"]), float(os.environ["MIGRATING"])

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        global ready_at
        if self.path == "/_record":
            with open("/tmp/setup_at", "a+") as f:
                f.seek(0)
                setup = [float(line) for line in f if line.strip()]
            return self.answer(200, {"ready_at": ready_at, "setup_at": setup})
        if self.path != "/api/status/":
            return self.answer(404, {"detail": "not found"})
        if time.time() - began < migrating:
            return self.answer(503, {"detail": "applying migrations"})
        ready_at = ready_at or time.time()
        return self.answer(200, {"netbox-version": "4.2.0", "python-version": "3.11"})

    def do_POST(self):  # what a setup step configures, with the token it was given
        with open("/tmp/token") as f:
            token = f.read().strip()
        if self.headers.get("Authorization") != f"Token {token}":
            return self.answer(403, {"detail": "Invalid token"})
        length = int(self.headers.get("Content-Length", 0))
        site = json.loads(self.rfile.read(length))
        return self.answer(201, {"id": 7, "name": site["name"]})

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)

print("migrating the database", flush=True)
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""
MANAGE = """\
#!/usr/bin/env python3
import secrets, sys, time
if sys.argv[1:2] != ["shell"] or "-c" not in sys.argv or "Token" not in sys.argv[-1]:
    sys.exit(f"unexpected arguments: {sys.argv[1:]}")
token = secrets.token_hex(20)
with open("/tmp/token", "w") as f:
    f.write(token)
with open("/tmp/setup_at", "a") as f:
    f.write(f"{time.time()}\\n")
print(token)
"""
DOCKERFILE = """\
ARG BASE
FROM ${BASE}
COPY server.py /srv/server.py
COPY manage.py /opt/netbox/netbox/manage.py
RUN chmod +x /opt/netbox/netbox/manage.py
CMD ["python3", "/srv/server.py"]
"""
# The service configured against NetBox: it gets the token only after setup, says so in its log
# (which must be redacted) and shows which token it holds at /token.
APP = """\
import http.server, os
token = os.environ["NETBOX_TOKEN"]
print("using NetBox at", os.environ["NETBOX_URL"], "with token", token, flush=True)

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(token.encode() if self.path == "/token" else b"ok")

http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
"""


def fake_netbox(project: Path) -> str:
    folder = project / "e2e" / "netbox"
    folder.mkdir(parents=True)
    for name, text in (("Dockerfile", DOCKERFILE), ("server.py", SERVER), ("manage.py", MANAGE)):
        (folder / name).write_text(text)
    return "e2e/netbox"


def stack_of(table: dict[str, Any]) -> Stack:
    validate({"e2e": table})  # through the schema, as pyproject.toml would be
    stack = parse_e2e(table)
    assert stack is not None
    return stack


def labelled(engine: Engine, label: str) -> list[str]:
    selector: dict[str, str | list[str] | bool] = {"label": f"{LABEL}={label}"}
    found = [
        f"container {c.name}" for c in engine.client.containers.list(all=True, filters=selector)
    ]
    found += [f"image {i.id}" for i in engine.client.images.list(filters=selector)]
    found += [f"volume {v.name}" for v in engine.client.volumes.list(filters=selector)]
    return found


def run(
    engine: Engine, base: str, label: str, project: Path, stack: Stack,
    verify: Callable[[str, list[str], dict[str, str]], None], lines: list[str],
) -> StackResult:  # fmt: skip
    return run_stack(
        engine, stack, project=project, version="1.4.0rc1", base=base, candidates={},
        verify=verify, logs=project / "logs", label=label,
        progress=Progress(lines.append, background=False),
    )  # fmt: skip


def test_netbox_setup_waits_for_readiness_and_its_token_stays_secret(
    engine: Engine, base: str, label: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stack = stack_of({
        "budget": 240,
        "services": [
            {"name": "netbox", "build": fake_netbox(tmp_path), "profile": "netbox",
             "port": free_port(), "budget": 120,
             "env": {"PORT": "{port}", "MIGRATING": str(MIGRATING)}},
            {"name": "app", "image": base, "start": "after-setup",
             "command": ["python3", "-c", APP], "ready": {"http": "/health"},
             "env": {"PORT": "{port}", "NETBOX_URL": "{services.netbox.url}",
                     "NETBOX_TOKEN": "{setup.netbox-token}"}},
        ],
        "setup": [
            {"name": "site", "http": {
                "method": "POST", "url": "{services.netbox.url}/api/dcim/sites/",
                "body": '{"name": "dc1"}',
                "headers": {"Authorization": "Token {setup.netbox-token}"},
            }},
        ],
        "verify": [{"name": "api", "run": ["check", "{services.app.url}", "{version}"]}],
    })  # fmt: skip
    seen: dict[str, Any] = {}

    def verify(name: str, argv: list[str], env: dict[str, str]) -> None:
        seen.update(name=name, argv=argv, env=env)
        seen["record"] = httpx.get(env["E2E_NETBOX_URL"] + "/_record").json()
        seen["held"] = httpx.get(env["E2E_APP_URL"] + "/token").text

    lines: list[str] = []
    result = run(engine, base, label, tmp_path, stack, verify, lines)

    assert result.order() == [
        ("build", "netbox"), ("start", "netbox"), ("ready", "netbox"), ("setup", "netbox-token"),
        ("setup", "site"), ("start", "app"), ("ready", "app"), ("verify", "api"),
    ]  # fmt: skip
    token = seen["env"]["E2E_SETUP_NETBOX_TOKEN"]
    assert len(token) == 40
    record = seen["record"]
    assert record["ready_at"] is not None
    assert len(record["setup_at"]) == 1
    assert record["setup_at"][0] >= record["ready_at"]  # the token came after /api/status/ said 200
    assert seen["held"] == token  # the after-setup service got it
    assert json.loads(seen["env"]["E2E_SETUP_SITE"]) == {"id": 7, "name": "dc1"}  # configured
    assert seen["env"]["E2E_SECRET_NETBOX_TOKEN"] == token
    assert seen["argv"] == ["check", seen["env"]["E2E_APP_URL"], "1.4.0rc1"]
    assert any("waiting for netbox: HTTP 503" in line for line in lines)
    assert "with token ***" in (tmp_path / "logs" / "app.log").read_text()
    written = [p.read_text() for p in (tmp_path / "logs").rglob("*") if p.is_file()]
    assert not [text for text in [*written, *lines, caplog.text] if token in text]
    assert labelled(engine, label) == []


def test_a_probe_that_never_passes_fails_within_its_budget_with_the_logs_saved(
    engine: Engine, base: str, label: str, tmp_path: Path
) -> None:
    stack = stack_of({
        "services": [
            {"name": "db", "image": base, "budget": 3, "ready": {"http": "/health"},
             "command": ["sh", "-c", "echo starting up; exec sleep 300"]},
        ],
    })  # fmt: skip
    with pytest.raises(CheckFailed) as caught:  # the budget stops it, not the container's 300 s
        run(engine, base, label, tmp_path, stack, lambda *_: None, [])
    error = caught.value
    assert "db was not ready within its budget of 3 s" in error.message
    assert "its last answer: no answer (ConnectError" in error.message
    log = tmp_path / "logs" / "db.log"
    assert str(log) in str(error.hint)
    assert log.read_text() == "starting up\n"
    assert labelled(engine, label) == []


def test_a_failing_verify_step_fails_the_stack_with_its_output(
    engine: Engine, base: str, label: str, tmp_path: Path
) -> None:
    stack = stack_of({
        "services": [
            {"name": "web", "image": base, "ready": {"http": "/", "status": [200]},
             "command": ["python3", "-m", "http.server", "{port}", "--bind", "127.0.0.1"]},
        ],
        "verify": [{"name": "api", "run": [
            sys.executable, "-c", "import sys; print('GET /notes answered 500'); sys.exit(1)"]}],
    })  # fmt: skip

    def verify(_name: str, argv: list[str], env: dict[str, str]) -> None:
        runner.run(argv, env=env)

    with pytest.raises(CheckFailed) as caught:
        run(engine, base, label, tmp_path, stack, verify, [])
    assert "exited with 1: GET /notes answered 500" in caught.value.message
    assert "web.log" in str(caught.value.hint)
    assert labelled(engine, label) == []


def test_a_failing_setup_step_fails_with_its_output_and_no_secret(
    engine: Engine, base: str, label: str, tmp_path: Path
) -> None:
    stack = stack_of({
        "services": [
            {"name": "netbox", "build": fake_netbox(tmp_path), "profile": "netbox",
             "port": free_port(), "env": {"PORT": "{port}", "MIGRATING": "0"}},
        ],
        "setup": [{"name": "sites", "in": "netbox",
                   "run": ["sh", "-c", "echo no sites for {setup.netbox-token} >&2; exit 3"]}],
    })  # fmt: skip
    with pytest.raises(CheckFailed) as caught:
        run(engine, base, label, tmp_path, stack, lambda *_: None, [])
    error = caught.value
    assert error.message == "setup step 'sites' (in netbox) exited with 3: no sites for ***"
    assert str(tmp_path / "logs" / "netbox.log") in str(error.hint)
    assert (tmp_path / "logs" / "setup" / "sites.log").read_text() == "no sites for ***\n"
    assert not re.search("[0-9a-f]{40}", f"{error.message} {error.hint}")  # no token anywhere
    assert labelled(engine, label) == []


HOLDER = """
import json, signal, sys
from pathlib import Path
from release.cli import _on_signal
from release.containers.engine import open_engine
from release.e2e.stack import run_stack
from release.config.e2e import parse_e2e
from release.core.errors import ReleaseError
from release.core.progress import Progress
signal.signal(signal.SIGTERM, _on_signal)
where, base, label = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
stack = parse_e2e(json.loads(sys.argv[4]))
try:
    with open_engine(where / "state") as engine:
        run_stack(
            engine, stack, project=where, version="1.0.0", base=base, candidates={},
            verify=lambda *_: None, logs=where / "logs", label=label, progress=Progress(),
        )
except ReleaseError as exc:
    print(exc.message, file=sys.stderr)
    sys.exit(exc.exit_code)
"""


def test_sigterm_to_a_running_stack_removes_everything_it_labelled(
    engine: Engine, base: str, label: str, tmp_path: Path
) -> None:
    table = {
        "services": [
            {"name": "netbox", "build": fake_netbox(tmp_path), "profile": "netbox",
             "port": free_port(), "env": {"PORT": "{port}", "MIGRATING": "600"}},
        ],
    }  # fmt: skip
    argv = [sys.executable, "-c", HOLDER, str(tmp_path), base, label, json.dumps(table)]
    env = {**os.environ, "DOCKER_HOST": engine.host, "PYTHONPATH": str(Path(__file__).parents[3])}
    holder = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_migration(engine, label, holder)
        holder.send_signal(signal.SIGTERM)
        _, err = holder.communicate(timeout=60)
    finally:
        holder.kill()
    assert holder.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    assert labelled(engine, label) == []
    assert "migrating the database" in (tmp_path / "logs" / "netbox.log").read_text()


def _wait_for_migration(engine: Engine, label: str, holder: subprocess.Popen[str]) -> None:
    """Until the stack's container says it migrates (the holder then waits for its probe)."""
    selector: dict[str, str | list[str] | bool] = {"label": f"{LABEL}={label}"}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and holder.poll() is None:
        containers = engine.client.containers.list(filters=selector)
        if any(b"migrating the database" in c.logs() for c in containers):
            return
        time.sleep(0.2)
    holder.kill()
    pytest.fail(f"the stack's container never said it migrates: {holder.communicate()}")
