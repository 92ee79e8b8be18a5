"""Notes in PostgreSQL, through pg8000: a pure-Python driver, so the images' wheelhouse needs no
compiler and no libpq. pg8000 is synchronous; each call runs in a worker thread, one at a time
on one connection (a notes service needs no pool)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import pg8000.exceptions
import pg8000.native

from notes_service.store import Note

SCHEMES = ("postgresql", "postgres")
TIMEOUT = 10.0  # seconds for a connection or a statement: /health must answer, not hang
# Postgres ids are bigint: a larger id in a URL is simply not a note (not a driver error).
_BIGINT = range(-(2**63), 2**63)
_SCHEMA = "CREATE TABLE IF NOT EXISTS notes (id bigserial PRIMARY KEY, text text NOT NULL)"


@dataclass(frozen=True)
class ConnectionParams:
    user: str
    password: str | None
    host: str
    port: int
    database: str

    def __repr__(self) -> str:  # never the password: this ends up in logs and tracebacks
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"


def parse_url(url: str) -> ConnectionParams:
    """`postgresql://USER:PASSWORD@HOST:PORT/DB` (user and password percent-encoded, as in
    libpq's URIs); a ValueError names what is missing without repeating the password."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError(f"DATABASE_URL must start with postgresql://, not {parts.scheme!r}")
    try:
        port = parts.port or 5432
    except ValueError:  # urlsplit's own message would quote the netloc, password included
        raise ValueError("DATABASE_URL has a port that is not a number in 1-65535") from None
    database = unquote(parts.path.removeprefix("/"))
    if not parts.username or not parts.hostname or not database or parts.query:
        raise ValueError(
            "DATABASE_URL must be postgresql://USER:PASSWORD@HOST:PORT/DB (user, host and "
            "database required, no query)"
        )
    password = unquote(parts.password) if parts.password is not None else None
    return ConnectionParams(unquote(parts.username), password, parts.hostname, port, database)


class PostgresStore:
    """The `NoteStore` on one pg8000 connection, made again after the server went away."""

    def __init__(self, params: ConnectionParams) -> None:
        self._params = params
        self._connection: pg8000.native.Connection | None = None
        self._lock = asyncio.Lock()  # one statement at a time: a connection is not shareable

    async def open(self) -> None:
        # A wrong URL or password stops the app at start, loudly, instead of 503s forever.
        await self._run(_SCHEMA)

    async def close(self) -> None:
        async with self._lock:
            await asyncio.to_thread(self._drop)

    async def ping(self) -> None:
        await self._run("SELECT 1")

    async def add(self, text: str) -> Note:
        rows = await self._run("INSERT INTO notes (text) VALUES (:text) RETURNING id", text=text)
        return Note(rows[0][0], text)

    async def get(self, note_id: int) -> Note | None:
        if note_id not in _BIGINT:
            return None
        rows = await self._run("SELECT id, text FROM notes WHERE id = :id", id=note_id)
        return Note(*rows[0]) if rows else None

    async def all(self) -> list[Note]:
        return [Note(*row) for row in await self._run("SELECT id, text FROM notes ORDER BY id")]

    async def delete(self, note_id: int) -> bool:
        if note_id not in _BIGINT:
            return False
        return bool(await self._run("DELETE FROM notes WHERE id = :id RETURNING id", id=note_id))

    async def _run(self, sql: str, **params: Any) -> list[list[Any]]:
        async with self._lock:
            return await asyncio.to_thread(self._run_blocking, sql, params)

    def _run_blocking(self, sql: str, params: dict[str, Any]) -> list[list[Any]]:
        if self._connection is None:
            self._connection = pg8000.native.Connection(
                self._params.user, host=self._params.host, port=self._params.port,
                database=self._params.database, password=self._params.password, timeout=TIMEOUT,
                application_name="notes-service",
            )  # fmt: skip
        try:
            rows: list[list[Any]] | None = self._connection.run(sql, **params)
        except pg8000.exceptions.InterfaceError:
            # The socket is gone (server restarted, network): the next call connects afresh,
            # so /health recovers with the database instead of staying 503.
            self._drop()
            raise
        return rows or []

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(pg8000.exceptions.Error, OSError):  # already dead is fine
                connection.close()
