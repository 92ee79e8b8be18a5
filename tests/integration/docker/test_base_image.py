"""The base image is made once, offline, and then found in the engine.

This builds a base of its own name (about 40 s of debootstrap), so that the shared base in the
cached data root is never removed under the other tests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import suppress

import docker
import pytest

from release.containers.base_image import ensure_base
from release.containers.engine import LABEL, Engine, run_container

NAME = "staged-release-base-test"


@pytest.fixture
def fresh(engine: Engine) -> Iterator[str]:
    """The test base's name, absent before the test and removed after it."""
    remove(engine, f"{NAME}:bookworm")
    yield NAME
    remove(engine, f"{NAME}:bookworm")


def remove(engine: Engine, reference: str) -> None:
    with suppress(docker.errors.ImageNotFound):
        engine.client.images.remove(reference, force=True)


def test_two_concurrent_callers_build_once_and_a_later_call_reuses_it(
    engine: Engine, fresh: str, label: str
) -> None:
    messages: list[str] = []
    found: list[str] = []
    callers = [
        threading.Thread(target=lambda: found.append(ensure_base(engine, messages.append, fresh)))
        for _ in range(2)
    ]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert found == [f"{fresh}:bookworm"] * 2
    assert sum("building the base image" in m for m in messages) == 1
    image = engine.client.images.get(f"{fresh}:bookworm")
    assert image.labels[LABEL] == "base"

    messages.clear()
    assert ensure_base(engine, messages.append, fresh) == f"{fresh}:bookworm"
    assert messages == []
    assert engine.client.images.get(f"{fresh}:bookworm").id == image.id
    done = run_container(engine, image.id or "", ["python3", "-m", "venv", "--help"], label=label)
    assert "usage: venv" in done.stdout
