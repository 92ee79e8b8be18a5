"""Where notes live. The app talks to the `NoteStore` protocol only, so a database-backed
store (`notes_service.postgres`) replaces `MemoryStore` without touching the routes."""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Note:
    id: int
    text: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class NoteStore(Protocol):
    async def open(self) -> None:
        """Connect (a pool, a schema check); called once when the app starts."""

    async def close(self) -> None:
        """Release what `open` took; called once when the app stops."""

    async def ping(self) -> None:
        """Raise when the store cannot serve: /health then answers 503."""

    async def add(self, text: str) -> Note: ...

    async def get(self, note_id: int) -> Note | None: ...

    async def all(self) -> list[Note]: ...

    async def delete(self, note_id: int) -> bool:
        """True when the note existed."""
        ...


class MemoryStore:
    """Notes in a dict: for tests and a single process; everything is lost on restart."""

    def __init__(self) -> None:
        self._notes: dict[int, Note] = {}
        self._ids = itertools.count(1)

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def ping(self) -> None:
        return None

    async def add(self, text: str) -> Note:
        note = Note(next(self._ids), text)
        self._notes[note.id] = note
        return note

    async def get(self, note_id: int) -> Note | None:
        return self._notes.get(note_id)

    async def all(self) -> list[Note]:
        return sorted(self._notes.values(), key=lambda note: note.id)

    async def delete(self, note_id: int) -> bool:
        return self._notes.pop(note_id, None) is not None
