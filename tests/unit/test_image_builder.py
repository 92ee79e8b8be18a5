"""Reading an image build's stream (release.containers.builder): BuildKit's status messages as
a daemon sent them (captured from dockerd 20.10 building a RUN step that printed and failed, and
one that succeeded), and the classic builder's plain lines."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

from release.containers.builder import context_tar, fields, read_stream

STREAMS = Path(__file__).parent / "buildkit"


def captured(name: str) -> list[dict[str, Any]]:
    return list(json.loads((STREAMS / name).read_text()))


def test_a_buildkit_build_gives_its_image_and_each_steps_output() -> None:
    log = read_stream(captured("built.json"))
    assert log.error is None
    assert log.image_id == (
        "sha256:c4eb315728a11ad351780d915f3406719f2f0a6abb468cb055d80088fe43035e"
    )
    (run,) = [d for d, name in log.names.items() if name.startswith("[2/2] RUN")]
    assert log.output[run] == ["built here"]


def test_a_failed_buildkit_step_is_named_with_its_last_lines() -> None:
    log = read_stream(captured("failed.json"))
    assert log.image_id is None
    assert log.error is not None
    assert "exit code: 3" in log.error
    assert log.failure().endswith(" (at [2/2] RUN): first line | the build was asked for 9.9")


def test_the_classic_builders_lines_are_read_too() -> None:
    failed = read_stream([
        {"stream": "Step 1/2 : FROM base\n"}, {"stream": "oops\n"},
        {"error": "The command '/bin/sh -c false' returned a non-zero code: 1"},
    ])  # fmt: skip
    assert failed.image_id is None
    assert failed.failure() == (
        "The command '/bin/sh -c false' returned a non-zero code: 1: Step 1/2 : FROM base | oops"
    )
    built = read_stream(
        [{"stream": "Step 1/1 : FROM base\n"}, {"stream": "Successfully built 1f2e\n"}]
    )
    assert (built.image_id, built.error) == ("1f2e", None)


def test_protobuf_fields_are_read_in_wire_order() -> None:
    # field 2 varint 300, field 1 bytes "hi", field 3 fixed64, field 4 fixed32
    data = b"\x10\xac\x02" + b"\x0a\x02hi" + b"\x19" + bytes(8) + b"\x25" + b"\x01\x00\x00\x00"
    assert list(fields(data)) == [(2, 300), (1, b"hi"), (3, bytes(8)), (4, b"\x01\x00\x00\x00")]


def test_the_context_is_a_tar_without_pax_headers_and_without_what_dockerignore_excludes(
    tmp_path: Path,
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM base\n")
    (tmp_path / "wheelhouse").mkdir()
    (tmp_path / "wheelhouse" / "a.whl").write_bytes(b"wheel")
    (tmp_path / "notes.txt").write_text("not for the image")
    (tmp_path / ".dockerignore").write_text("# local files\nnotes.txt\n")
    with context_tar(tmp_path) as body, tarfile.open(fileobj=body) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert sorted(members) == [".dockerignore", "Dockerfile", "wheelhouse", "wheelhouse/a.whl"]
    assert all(not m.pax_headers for m in members.values())
