"""The ASGI application: `notes_service.app:app`, or `create_app(store)`.

`app` keeps its notes in PostgreSQL when the environment has DATABASE_URL
(`postgresql://USER:PASSWORD@HOST:PORT/DB`), else in memory."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator, Mapping

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from notes_service import installed_version
from notes_service.postgres import PostgresStore, parse_url
from notes_service.store import MemoryStore, NoteStore

MAX_TEXT = 10_000  # characters: a note, not a file store


def store_from(environ: Mapping[str, str]) -> NoteStore:
    """PostgreSQL when DATABASE_URL is set (and not empty), else memory."""
    url = environ.get("DATABASE_URL")
    return PostgresStore(parse_url(url)) if url else MemoryStore()


def create_app(store: NoteStore | None = None) -> Starlette:
    notes = store if store is not None else store_from(os.environ)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await notes.open()
        try:
            yield
        finally:
            await notes.close()

    app = Starlette(routes=_routes(), lifespan=lifespan)
    app.state.notes = notes
    return app


async def health(request: Request) -> JSONResponse:
    try:
        await _store(request).ping()
    except Exception as exc:  # whatever the store raises, the answer is "not ready"
        return JSONResponse({"status": "unavailable", "reason": str(exc)}, status_code=503)
    return JSONResponse({"status": "ok", "version": installed_version()})


async def list_notes(request: Request) -> JSONResponse:
    return JSONResponse([note.as_json() for note in await _store(request).all()])


async def add_note(request: Request) -> JSONResponse:
    text = await _text(request)
    if text is None:
        return _problem(422, f'send {{"text": "..."}} with at most {MAX_TEXT} characters')
    note = await _store(request).add(text)
    return JSONResponse(note.as_json(), status_code=201)


async def get_note(request: Request) -> JSONResponse:
    note = await _store(request).get(request.path_params["note_id"])
    return JSONResponse(note.as_json()) if note else _problem(404, "no such note")


async def delete_note(request: Request) -> Response:
    if await _store(request).delete(request.path_params["note_id"]):
        return Response(status_code=204)
    return _problem(404, "no such note")


def _routes() -> list[Route]:
    return [
        Route("/health", health, methods=["GET"]),
        Route("/notes", list_notes, methods=["GET"]),
        Route("/notes", add_note, methods=["POST"]),
        Route("/notes/{note_id:int}", get_note, methods=["GET"]),
        Route("/notes/{note_id:int}", delete_note, methods=["DELETE"]),
    ]


def _store(request: Request) -> NoteStore:
    store: NoteStore = request.app.state.notes
    return store


async def _text(request: Request) -> str | None:
    try:
        body = json.loads(await request.body())
    except ValueError:
        return None
    text = body.get("text") if isinstance(body, dict) else None
    return text if isinstance(text, str) and 0 < len(text) <= MAX_TEXT else None


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


app = create_app()
