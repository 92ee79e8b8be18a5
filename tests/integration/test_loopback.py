"""Reads from servers on the loopback go through the standard library (release.core.loopback),
with the same answers and the same errors as through httpx: a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from release.core import loopback
from release.core.errors import IndexUnavailable, IntegrityError
from release.core.service import free_port, http_ok
from release.index.fetch import fetch
from release.index.simple_api import PEP691_JSON, fetch_listing

WHEEL = b"wheel bytes" * 10_000
LISTING = {"files": [{"filename": "demo-1.0-py3-none-any.whl", "url": "../../files/demo.whl",
                      "hashes": {"sha256": hashlib.sha256(WHEEL).hexdigest()}}]}  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/simple/demo/":
            self._send(200, json.dumps(LISTING).encode(), PEP691_JSON)
        elif self.path == "/moved/demo/":
            self.send_response(301)
            self.send_header("Location", "/simple/demo/")
            self.end_headers()
        elif self.path == "/away":
            self.send_response(302)
            self.send_header("Location", "http://example.org/")
            self.end_headers()
        elif self.path == "/files/demo.whl":
            self._send(200, WHEEL, "application/octet-stream")
        else:
            self._send(404, b"not here", "text/plain")

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self._send(200, self.rfile.read(length), self.headers["Content-Type"])

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _no_client() -> object:
    raise AssertionError("a loopback read made an httpx client")


def test_only_plain_http_to_the_loopback_counts() -> None:
    assert loopback.is_loopback("http://127.0.0.1:3141/root/")
    assert loopback.is_loopback("http://localhost/")
    assert not loopback.is_loopback("https://127.0.0.1/")
    assert not loopback.is_loopback("http://example.org/")
    with pytest.raises(ValueError, match="not a loopback"):
        loopback.request("GET", "http://example.org/")


def test_a_request_follows_redirects_and_sends_json(base: str) -> None:
    got = loopback.request("GET", f"{base}moved/demo/")
    assert (got.status, got.url, got.json()) == (200, f"{base}simple/demo/", LISTING)
    echoed = loopback.request("POST", f"{base}echo", json={"user": "root"})
    assert echoed.json() == {"user": "root"}
    assert echoed.headers["content-type"] == "application/json"


def test_a_redirect_off_the_loopback_and_a_closed_port_are_no_answer(base: str) -> None:
    with pytest.raises(loopback.NoAnswer, match="away from the loopback"):
        loopback.request("GET", f"{base}away")
    closed = f"http://127.0.0.1:{free_port()}/"
    with pytest.raises(loopback.NoAnswer):
        loopback.request("GET", closed)
    assert http_ok(f"{base}simple/demo/")
    assert not http_ok(f"{base}nothing")
    assert not http_ok(closed)


def test_a_listing_and_a_download_need_no_httpx_client(base: str, tmp_path: Path) -> None:
    listed = fetch_listing(_no_client, f"{base}simple/", "Demo")  # type: ignore[arg-type]
    assert [(f.filename, f.url) for f in listed] == [
        ("demo-1.0-py3-none-any.whl", f"{base}files/demo.whl")
    ]
    assert fetch_listing(_no_client, f"{base}other/", "demo") == []  # type: ignore[arg-type]
    sha256 = listed[0].sha256
    assert sha256 is not None
    target = fetch(_no_client, listed[0].url, tmp_path / "demo.whl", sha256)  # type: ignore[arg-type]
    assert target.read_bytes() == WHEEL


def test_wrong_bytes_a_missing_file_and_no_server_are_the_usual_errors(
    base: str, tmp_path: Path
) -> None:
    with pytest.raises(IntegrityError, match="served bytes whose sha256"):
        fetch(_no_client, f"{base}files/demo.whl", tmp_path / "a.whl", "0" * 64)  # type: ignore[arg-type]
    assert not (tmp_path / "a.whl").exists()
    with pytest.raises(IndexUnavailable, match="cannot download"):
        fetch(_no_client, f"{base}files/gone.whl", tmp_path / "b.whl", "0" * 64)  # type: ignore[arg-type]
    closed = f"http://127.0.0.1:{free_port()}/simple/"
    with pytest.raises(IndexUnavailable, match="cannot reach"):
        fetch_listing(_no_client, closed, "demo")  # type: ignore[arg-type]
