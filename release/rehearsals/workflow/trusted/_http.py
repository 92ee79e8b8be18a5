"""A small loopback HTTP server for the rehearsal's stand-ins: each answers requests with a plain
function (Request -> Response), in a thread of its own, and is stopped on every way out.

The request carries the client's port: the token endpoint finds the asking job from it. Nothing
is logged here: a request line or header could carry a secret.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"
MAX_BODY = 1 << 30  # bytes: a wheel larger than this is no rehearsal's


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with its query
    headers: tuple[tuple[str, str], ...]
    body: bytes
    client_port: int
    server_port: int

    def header(self, name: str) -> str:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), "")


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    reason: str | None = None  # the status line's phrase: PyPI says why an upload is refused there


def json_response(status: int, data: object) -> Response:
    return Response(status, json.dumps(data).encode(), (("Content-Type", "application/json"),))


App = Callable[[Request], Response]


@contextmanager
def serve(app: App) -> Iterator[str]:
    """Serve `app` on a free loopback port for the block; yields the origin, `http://HOST:PORT`."""
    server = ThreadingHTTPServer((HOST, 0), _handler(app))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="stand-in", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _handler(app: App) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer()

        do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

        def log_message(self, format: str, *args: object) -> None:
            pass  # silent: see the module's docstring

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._send(Response(413, b"request too large"))
            ports = (int(self.client_address[1]), _port(self.server))
            body = self.rfile.read(length)
            request = Request(self.command, self.path, tuple(self.headers.items()), body, *ports)
            try:
                answer = app(request)
            except Exception as exc:  # noqa: BLE001 - a stand-in's bug answers 500, never hangs
                answer = Response(500, f"{type(exc).__name__}: {exc}".encode())
            return self._send(answer)

        def _send(self, answer: Response) -> None:
            self.send_response(answer.status, answer.reason)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)

    return Handler


def _port(server: object) -> int:
    assert isinstance(server, ThreadingHTTPServer)
    return int(server.server_address[1])
