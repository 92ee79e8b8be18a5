"""The service as a client sees it, through Starlette's TestClient (lifespan included)."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import version

import pytest
from starlette.testclient import TestClient

from notes_service.app import MAX_TEXT, create_app
from notes_service.store import MemoryStore


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(MemoryStore())) as client:
        yield client


def test_health_reports_the_installed_version(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": version("notes-service")}


def test_health_is_503_when_the_store_cannot_serve() -> None:
    class Down(MemoryStore):
        async def ping(self) -> None:
            raise ConnectionError("database is starting")

    with TestClient(create_app(Down())) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "database is starting"}


def test_a_note_is_added_listed_read_and_deleted(client: TestClient) -> None:
    created = client.post("/notes", json={"text": "buy milk"})
    assert created.status_code == 201
    note = created.json()
    assert client.get("/notes").json() == [note]
    assert client.get(f"/notes/{note['id']}").json() == {"id": note["id"], "text": "buy milk"}
    assert client.delete(f"/notes/{note['id']}").status_code == 204
    assert client.get(f"/notes/{note['id']}").status_code == 404
    assert client.delete(f"/notes/{note['id']}").status_code == 404
    assert client.get("/notes").json() == []


def test_notes_are_listed_in_the_order_they_were_added(client: TestClient) -> None:
    for text in ("one", "two", "three"):
        client.post("/notes", json={"text": text})
    assert [n["text"] for n in client.get("/notes").json()] == ["one", "two", "three"]


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b"{}", b'{"text": ""}', b'{"text": 3}', b'{"text": null}']
)
def test_a_note_without_text_is_refused(client: TestClient, body: bytes) -> None:
    response = client.post("/notes", content=body)
    assert response.status_code == 422
    assert client.get("/notes").json() == []


def test_a_note_too_long_is_refused(client: TestClient) -> None:
    assert client.post("/notes", json={"text": "x" * (MAX_TEXT + 1)}).status_code == 422
    assert client.post("/notes", json={"text": "x" * MAX_TEXT}).status_code == 201


def test_the_module_level_app_is_a_working_service() -> None:
    from notes_service.app import app

    with TestClient(app) as client:
        assert client.get("/health").json()["status"] == "ok"
