"""Image builds through the engine's BuildKit (release.containers.builder), on a real engine:
steps a target does not need are not run, a failed step is named with what it printed, and a
build the engine refuses outright says why in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from release.containers.builder import build_image
from release.containers.engine import LABEL, Engine
from release.core.errors import ImageBuildFailed

DOCKERFILE = """\
FROM {base} AS never
RUN exit 9
FROM {base} AS ok
ARG WHO
RUN echo "built for ${{WHO}}" > /built
FROM ok AS failing
RUN echo "checking" && echo "the build was asked for 9.9" >&2 && exit 3
"""


@pytest.fixture
def folder(tmp_path: Path, base: str) -> Path:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE.format(base=base))
    return tmp_path


def test_a_target_is_built_without_the_stages_it_does_not_need(
    engine: Engine, folder: Path, label: str
) -> None:
    options = {"target": "ok", "buildargs": {"WHO": "us"}, "labels": {LABEL: label}}
    image = build_image(engine, folder, options, timeout=300, what="ok")
    try:
        found = engine.client.images.get(image)
        assert found.labels[LABEL] == label
        out = engine.client.containers.run(
            image, ["cat", "/built"], remove=True, network_mode="host"
        )
        assert out == b"built for us\n"
    finally:
        engine.client.images.remove(image, force=True)


def test_a_failed_step_is_named_with_its_last_lines(engine: Engine, folder: Path) -> None:
    with pytest.raises(ImageBuildFailed) as failed:
        build_image(engine, folder, {"target": "failing"}, timeout=300, what="the failing image")
    message = failed.value.message
    assert message.startswith("building the failing image failed: ")
    assert "exit code: 3" in message
    where, _, tail = message.partition(" (at [failing 1/1] RUN): ")
    assert where
    # what the step printed; stdout's and stderr's lines reach us in either order
    assert sorted(tail.split(" | ")) == ["checking", "the build was asked for 9.9"]


def test_a_build_the_engine_refuses_says_why(engine: Engine, folder: Path) -> None:
    options = {"target": "ok", "isolation": "weird"}
    with pytest.raises(ImageBuildFailed) as refused:
        build_image(engine, folder, options, timeout=300, what="ok", hint="check the options")
    assert refused.value.message == (
        'building ok failed: the engine refused: Unsupported isolation: "weird"'
    )
    assert refused.value.hint == "check the options"
