"""The running service and its PostgreSQL, as the E2E stack starts them
([tool.staged-release.e2e] in pyproject.toml): notes go through the HTTP API into the database
and back. The database is read and written directly too, which proves the notes live there,
not in the service's memory.

The stack runner sets E2E_APP_URL, E2E_DB_PORT and E2E_SETUP_<NAME>; without a stack (a plain
`pytest`, the release's `tests` check) these tests skip.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

import pg8000.native
import pytest

pytestmark = pytest.mark.skipif(
    not os.environ.get("E2E_APP_URL"),
    reason="E2E_APP_URL is unset: these tests need the E2E stack (the e2e stages start it)",
)
TIMEOUT = 10.0  # seconds per request: the stack is ready before verify steps run


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is unset: the E2E stack should set it beside E2E_APP_URL")
    return value


@pytest.fixture
def db() -> Iterator[pg8000.native.Connection]:
    """The service's database, as the `notes` role the setup steps created."""
    connection = pg8000.native.Connection(
        "notes", host="127.0.0.1", port=int(_env("E2E_DB_PORT")),
        password=_env("E2E_SETUP_PASSWORD"), database=_env("E2E_SETUP_DATABASE"), timeout=TIMEOUT,
    )  # fmt: skip
    try:
        yield connection
    finally:
        connection.close()


def _call(method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """(status, decoded JSON or None) of one request to the service; errors are answers too."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(_env("E2E_APP_URL").rstrip("/") + path, data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, json.loads(raw) if raw else None


def _unique(text: str) -> str:
    """A text no other run left in the database."""
    return f"{text} {uuid.uuid4().hex}"


def test_the_service_is_healthy_and_runs_the_version_under_test() -> None:
    assert _call("GET", "/health") == (200, {"status": "ok", "version": version("notes-service")})


def test_a_note_posted_to_the_api_is_a_row_in_postgres(db: pg8000.native.Connection) -> None:
    text = _unique("posted")
    status, note = _call("POST", "/notes", {"text": text})
    assert status == 201
    assert _call("GET", f"/notes/{note['id']}") == (200, {"id": note["id"], "text": text})
    assert db.run("SELECT text FROM notes WHERE id = :id", id=note["id"]) == [[text]]


def test_a_row_written_to_postgres_is_served_by_the_api(db: pg8000.native.Connection) -> None:
    text = _unique("inserted")
    [[note_id]] = db.run("INSERT INTO notes (text) VALUES (:text) RETURNING id", text=text)
    assert _call("GET", f"/notes/{note_id}") == (200, {"id": note_id, "text": text})
    assert {"id": note_id, "text": text} in _call("GET", "/notes")[1]


def test_a_note_deleted_through_the_api_leaves_postgres(db: pg8000.native.Connection) -> None:
    _, note = _call("POST", "/notes", {"text": _unique("deleted")})
    assert _call("DELETE", f"/notes/{note['id']}") == (204, None)
    assert db.run("SELECT id FROM notes WHERE id = :id", id=note["id"]) == []
    assert _call("GET", f"/notes/{note['id']}")[0] == 404
