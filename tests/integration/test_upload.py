"""Upload against a real non-volatile devpi: resume, refusal with the next version, waiting."""

from __future__ import annotations

import dataclasses
import itertools
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from release.artifacts.manifest import Manifest
from release.context import Run
from release.core import runner
from release.core.errors import ConsumedVersion, NotYetListed, UploadStopped, VersionRuleError
from release.core.progress import Progress
from release.index.profiles import LocalEndpoints
from release.upload._listing import wait_until_listed
from release.upload.stage import upload
from tests.conftest import git_tag
from tests.integration.conftest import build_at, make_run, unique


def _twine(files: list[Path], url: str) -> None:
    argv = [sys.executable, "-m", "twine", "upload", "--non-interactive", "--repository-url", url]
    runner.run([*argv, *map(str, files)], env={"TWINE_USERNAME": "a", "TWINE_PASSWORD": "-"})


def _candidate(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> tuple[Manifest, Run]:
    """A freshly built 1.0.0rc1 of a project no other test uses, and a run for it."""
    built = build_at(tmp_path / "p", unique("sr-app"), "1.0.0rc1")
    return built, make_run(tmp_path / "p", stand_ins, http, tmp_path / "state")


def test_upload_lists_every_file_then_an_identical_rerun_sends_nothing(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    built, run = _candidate(stand_ins, http, tmp_path)
    name = built.name
    first = upload(run, "testpypi")
    listed = {f.filename: f.sha256 for f in run.listing(run.index("testpypi"), name)}
    again = upload(run, "testpypi")
    assert sorted(first.sent) == sorted(f.filename for f in built.files)
    assert listed == {f.filename: f.sha256 for f in built.files}
    assert again.sent == ()
    assert sorted(again.already) == sorted(first.sent)
    # A stand-in takes anonymous uploads: no trusted publishing, no attestations, and why.
    assert first.credential == "the local stand-in (anonymous)"
    assert first.attestations == "skipped: a local stand-in index takes no attestations"


def test_a_partial_upload_resumes_with_the_missing_file_only(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    built, run = _candidate(stand_ins, http, tmp_path)
    _twine([run.dist / built.wheel.filename], str(run.index("testpypi").upload_url))
    resumed = upload(run, "testpypi")
    assert resumed.already == (built.wheel.filename,)
    assert resumed.sent == tuple(f.filename for f in built.files if f != built.wheel)


def test_different_bytes_are_refused_and_the_next_free_rc_is_named(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    name = unique("sr-app")
    first = build_at(tmp_path / "a", name, "1.0.0rc1", body="A = 1")
    upload(make_run(tmp_path / "a", stand_ins, http, tmp_path / "state"), "testpypi")
    build_at(tmp_path / "b", name, "1.0.0rc1", body="A = 2")
    git_tag(tmp_path / "b", "v1.0.0rc1", "v1.0.0rc2")  # rc2 is consumed by a tag
    run = make_run(tmp_path / "b", stand_ins, http, tmp_path / "state")
    with pytest.raises(ConsumedVersion) as caught:
        upload(run, "testpypi")
    assert caught.value.exit_code == 2
    assert "tag v1.0.0rc3 instead" in str(caught.value.hint)
    assert "nox -s bump -- rc" in str(caught.value.hint)
    listed = {f.filename: f.sha256 for f in run.listing(run.index("testpypi"), name)}
    assert listed == {f.filename: f.sha256 for f in first.files}  # nothing of b was sent


def test_a_version_on_the_release_index_counts_as_consumed_too(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    name = unique("sr-app")
    build_at(tmp_path / "rc3", name, "1.0.0rc3")
    upload(make_run(tmp_path / "rc3", stand_ins, http, tmp_path / "s"), "pypi")
    build_at(tmp_path / "a", name, "1.0.0rc1", body="A = 1")
    upload(make_run(tmp_path / "a", stand_ins, http, tmp_path / "s"), "testpypi")
    build_at(tmp_path / "b", name, "1.0.0rc1", body="A = 2")
    with pytest.raises(ConsumedVersion, match="different files") as caught:
        upload(make_run(tmp_path / "b", stand_ins, http, tmp_path / "s"), "testpypi")
    assert "tag v1.0.0rc4 instead" in str(caught.value.hint)


def test_a_final_needs_an_rc_on_the_staging_index_unless_overridden(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    name = unique("sr-app")
    build_at(tmp_path / "p", name, "2.0.0")
    run = make_run(tmp_path / "p", stand_ins, http, tmp_path / "state")
    with pytest.raises(VersionRuleError, match="no release candidate"):
        upload(run, "pypi")
    assert run.listing(run.index("pypi"), name) == []
    warnings: list[str] = []
    loud = dataclasses.replace(run, progress=Progress(warnings.append, background=False))
    assert upload(loud, "pypi", allow_final_without_rc=True).sent
    assert any("WARNING" in w and "override" in w for w in warnings)


def test_a_file_that_appears_late_is_waited_for(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    built, run = _candidate(stand_ins, http, tmp_path)
    name = built.name
    index = run.index("testpypi")
    files = [run.dist / f.filename for f in built.files]
    messages: list[str] = []
    waiting = threading.Event()

    def told(message: str) -> None:
        messages.append(message)
        waiting.set()

    def upload_once_waited_for() -> None:
        waiting.wait(60)  # the files arrive only after the wait has begun (bounded, never hangs)
        _twine(files, str(index.upload_url))

    late = threading.Thread(target=upload_once_waited_for)
    late.start()
    try:
        wait_until_listed(
            lambda: run.listing(index, name), built, where=index.name, budget=120, progress=told
        )
    finally:
        late.join()
    assert messages
    assert all("waiting for local testpypi" in m for m in messages)
    assert {f.filename for f in run.listing(index, name)} == {f.filename for f in built.files}


def test_waiting_ends_with_a_clear_error_when_the_budget_is_spent(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    built, run = _candidate(stand_ins, http, tmp_path)
    name = built.name
    index = run.index("testpypi")
    with pytest.raises(NotYetListed, match=r"did not list .* within 1 s") as caught:
        wait_until_listed(
            lambda: run.listing(index, name), built, where=index.name, budget=1,
            progress=lambda _: None,
        )  # fmt: skip
    assert caught.value.exit_code == 1


def test_an_upload_the_index_cut_off_part_way_says_what_landed_and_resumes(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    built, direct = _candidate(stand_ins, http, tmp_path)
    with _cut_off(stand_ins.base_url, after=1) as proxy:
        run = dataclasses.replace(direct, local=LocalEndpoints(proxy.url))
        with pytest.raises(UploadStopped) as stopped:
            upload(run, "testpypi")
        (landed,) = [f.filename for f in direct.listing(direct.index("testpypi"), built.name)]
        (rest,) = [f.filename for f in built.files if f.filename != landed]
        proxy.recovered.set()
        resumed = upload(run, "testpypi")  # the same command again, once the index answers
    assert stopped.value.message == (
        "local testpypi answered 503 Service Unavailable and the upload stopped part-way; "
        f"listed now: {landed}; not listed: {rest}"
    )
    log = run.log("upload_testpypi")
    assert stopped.value.hint == (
        "re-run the same command: it sends only the files the index does not list yet "
        f"(twine's output: {log})"
    )
    assert "Retry 5 of 5" in log.read_text()  # twine's own retries came first
    assert (stopped.value.exit_code, resumed.already, resumed.sent) == (1, (landed,), (rest,))


@dataclasses.dataclass
class _Proxy:
    url: str
    recovered: threading.Event


@contextmanager
def _cut_off(index: str, after: int) -> Iterator[_Proxy]:
    """A forwarding proxy on 127.0.0.1 in front of the real index at `index` that answers 503
    to every upload (a POST) after the first `after` until `recovered` is set: an index failing
    part-way through an upload. Test scaffolding, not a fake index: every other answer is the
    index's own."""
    posts, recovered = itertools.count(1), threading.Event()

    class Forward(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(b"")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if next(posts) > after and not recovered.is_set():
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._answer(body)

        def _answer(self, body: bytes) -> None:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            url = index.rstrip("/") + self.path
            answer = httpx.request(self.command, url, headers=headers, content=body, timeout=60)
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in (*_HOP, "content-encoding"):  # httpx decoded it
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def log_message(self, *_: object) -> None:
            pass  # quiet: pytest shows what the test asserts

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield _Proxy(f"http://127.0.0.1:{server.server_address[1]}/", recovered)
    finally:
        server.shutdown()
        server.server_close()


_HOP = ("host", "content-length", "connection", "transfer-encoding", "keep-alive")
