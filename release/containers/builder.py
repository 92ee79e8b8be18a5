"""Image builds through the engine's BuildKit: the /build endpoint with version=2 and the build
context uploaded as a tar, as `docker build` sends it but without a client session (docker-py's
build offers the classic builder only).

Why BuildKit: it builds only the stages the target needs, side by side, and its cache keys are
the content of what each step reads; settings (ENV, ENTRYPOINT, LABEL, the build's labels) cost
no container commit each. The second and third variant of a release then cost little more than
their own files (issue 25: three variants at most 1.25 times one).

What a step printed reaches us as BuildKit's status messages (protobuf, base64 in the stream's
`aux`), read here with a few lines of protobuf's wire format rather than a protobuf runtime:
a failed build names its failed step and that step's last lines.
"""

from __future__ import annotations

import base64
import json
import re
import tarfile
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from docker.utils.build import exclude_paths

from release.containers._containers import Engine
from release.core.errors import ImageBuildFailed

TRACE = "moby.buildkit.trace"  # the stream's id of BuildKit's status messages
IMAGE_ID = "moby.image.id"  # the stream's id of the built image's id
TAIL = 15  # lines of a failed step's output in the error
_CANCELLED = "context canceled"  # the error of steps stopped because another one failed
_STEP = re.compile(r"\[[^\]]*\] \S+")  # "[venv 2/3] RUN": stage, step number, instruction


@dataclass
class BuildLog:
    """What the build said: each step's name, output and error, in the order steps appeared."""

    names: dict[str, str] = field(default_factory=dict)  # step digest -> name
    output: dict[str, list[str]] = field(default_factory=dict)  # step digest -> its lines
    errors: dict[str, str] = field(default_factory=dict)  # step digest -> its error
    image_id: str | None = None
    error: str | None = None  # the build's own error, the last thing it says

    def failure(self) -> str:
        """The error, where it happened, and the last lines that step printed."""
        # the step that failed, not one BuildKit cancelled because of it
        failed = next((d for d, e in self.errors.items() if _CANCELLED not in e), None)
        failed = failed or next(iter(self.errors), None) or next(reversed(self.names), "")
        step = _STEP.match(self.names.get(failed, ""))
        where = f" (at {step.group()})" if step else ""
        tail = " | ".join(self.output.get(failed, [])[-TAIL:])
        return f"{self.error or 'the engine named no image'}{where}: {tail or 'no output'}"


def build_image(
    engine: Engine, folder: Path, options: Mapping[str, Any], *, timeout: float, what: str,
    hint: str | None = None,
) -> str:  # fmt: skip
    """Build folder's Dockerfile with host networking (the engine may have no bridge; apt
    reaches Debian's mirror); the image's id. `options` are /build's query parameters (target,
    nocache; buildargs and labels as mappings). Raises ImageBuildFailed ("building `what`
    failed: ...") with the failed step's last lines."""
    given = {name: _param(value) for name, value in options.items()}
    params = {"version": "2", "networkmode": "host", "rm": "1", **given}
    with context_tar(folder) as body, _posted(engine, body, params, timeout) as response:
        if not response.ok:  # refused before building: a JSON message, not a stream
            refused = f"building {what} failed: the engine refused: {_message(response)}"
            raise ImageBuildFailed(refused, hint)
        log = read_stream(_lines(response))
    if log.error is not None or log.image_id is None:
        raise ImageBuildFailed(f"building {what} failed: {log.failure()}", hint)
    return log.image_id


def _posted(engine: Engine, body: IO[bytes], params: Mapping[str, str], timeout: float) -> Any:
    api = engine.client.api
    return api.post(
        f"{api.base_url}/v{api.api_version}/build", params=params, data=body, stream=True,
        headers={"Content-Type": "application/x-tar"}, timeout=max(timeout, 1),
    )  # fmt: skip


def _message(response: Any) -> str:
    if "json" in response.headers.get("Content-Type", ""):
        return str(response.json().get("message"))
    return str(response.text)


def _param(value: Any) -> str:
    """A query parameter as the engine reads it: mappings as JSON, booleans as 1 or 0."""
    if isinstance(value, Mapping):
        return json.dumps(dict(value))
    if isinstance(value, bool):
        return str(int(value))
    return str(value)


@contextmanager
def context_tar(folder: Path) -> Iterator[IO[bytes]]:
    """The folder as a tar (ustar/GNU headers: BuildKit takes a PAX header for a Dockerfile),
    less what its .dockerignore excludes, in a temporary file."""
    with tempfile.TemporaryFile() as file:
        with tarfile.open(fileobj=file, mode="w", format=tarfile.GNU_FORMAT) as tar:
            for name in sorted(exclude_paths(str(folder), _ignored(folder))):
                tar.add(folder / name, arcname=name, recursive=False)
        file.seek(0)
        yield file


def _ignored(folder: Path) -> list[str]:
    ignore = folder / ".dockerignore"
    if not ignore.is_file():
        return []
    lines = (line.strip() for line in ignore.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _lines(response: Any) -> Iterator[dict[str, Any]]:
    for line in response.iter_lines():
        if line.strip():
            yield json.loads(line)


def read_stream(messages: Iterable[dict[str, Any]]) -> BuildLog:
    """The build's stream (BuildKit's, or the classic builder's lines) read into a BuildLog."""
    log = BuildLog()
    for message in messages:
        aux = message.get("aux")
        if message.get("id") == TRACE and isinstance(aux, str):
            _status(log, base64.b64decode(aux))
        elif message.get("id") == IMAGE_ID and isinstance(aux, dict):
            log.image_id = str(aux.get("ID"))
        elif "error" in message:
            log.error = str(message["error"]).strip()
        elif stream := str(message.get("stream") or ""):
            _classic(log, stream)
    return log


def _classic(log: BuildLog, stream: str) -> None:
    """A daemon without BuildKit answers as the classic builder: plain lines, then the id."""
    log.output.setdefault("", []).extend(stream.rstrip("\n").splitlines())
    if stream.startswith("Successfully built "):
        log.image_id = stream.rsplit(maxsplit=1)[-1]


def _status(log: BuildLog, data: bytes) -> None:
    """One StatusResponse: vertexes = 1 (digest 1, name 3, error 7), logs = 3 (vertex 1, msg 4)."""
    for number, value in fields(data):
        if number == 1 and isinstance(value, bytes):
            vertex = dict(fields(value))
            digest = _text(vertex.get(1))
            log.names.setdefault(digest, _text(vertex.get(3)))
            if error := _text(vertex.get(7)):
                log.errors[digest] = error
        elif number == 3 and isinstance(value, bytes):
            entry = dict(fields(value))
            lines = _text(entry.get(4)).rstrip("\n").splitlines()
            log.output.setdefault(_text(entry.get(1)), []).extend(lines)


def _text(value: int | bytes | None) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else ""


def fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """A protobuf message's fields in wire order: (number, int for varints, bytes otherwise)."""
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        kind = key & 7
        if kind == 0:
            value, at = _varint(data, at)
            yield key >> 3, value
            continue
        size = {1: 8, 5: 4}.get(kind)
        if size is None:  # 2: length-delimited (the groups 3 and 4 are long obsolete)
            size, at = _varint(data, at)
        yield key >> 3, data[at : at + size]
        at += size


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if not byte & 0x80:
            return value, at
