"""The stack cache: an E2E service's image built from its `build =` directory stays in the
engine, labelled as ours and keyed by its context and base; the next stack reuses it, a changed
context or --no-cache (rebuild) builds anew and drops the stale one. The stack's containers are
removed on the way out all the same."""

from __future__ import annotations

import uuid
from pathlib import Path

from release.config.e2e import Stack
from release.containers.engine import LABEL, Engine
from release.core.progress import Progress
from release.core.service import free_port
from release.e2e._docker import CACHED, KEY_LABEL, SERVICE_LABEL
from release.e2e.stack import run_stack
from tests.integration.docker.test_e2e import labelled, stack_of

DOCKERFILE = """\
ARG BASE
FROM ${BASE}
COPY page.txt /srv/page.txt
CMD ["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", "/srv"]
"""


def web(project: Path, text: str) -> None:
    folder = project / "e2e" / "web"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Dockerfile").write_text(DOCKERFILE)
    (folder / "page.txt").write_text(text)


def served(name: str) -> Stack:
    port = free_port()
    return stack_of({
        "budget": 120,
        "services": [{"name": name, "build": "e2e/web", "port": port, "budget": 60,
                      "command": ["python3", "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                  "--directory", "/srv"],
                      "ready": {"http": "/page.txt"}}],
    })  # fmt: skip


def cached(engine: Engine, name: str) -> list[str]:
    selector = {"label": [f"{LABEL}={CACHED}", f"{SERVICE_LABEL}={name}"]}
    return [str(i.id) for i in engine.client.images.list(filters=selector)]


def go(
    engine: Engine, base: str, label: str, project: Path, name: str, rebuild: bool = False
) -> float:
    result = run_stack(
        engine, served(name), project=project, version="1.0.0", base=base, candidates={},
        verify=lambda *_: None, logs=project / "logs", label=label, progress=Progress(quiet=True),
        rebuild=rebuild,
    )  # fmt: skip
    assert labelled(engine, label) == []  # its containers are gone, whatever the cache keeps
    return result.phases()["build"]


def test_a_stack_image_is_reused_until_its_context_changes_or_a_rebuild(
    engine: Engine, base: str, label: str, tmp_path: Path
) -> None:
    name = f"web-{uuid.uuid4().hex[:8]}"
    web(tmp_path, "one")
    go(engine, base, label, tmp_path, name)
    (first,) = cached(engine, name)
    assert engine.client.images.get(first).labels[KEY_LABEL]
    go(engine, base, label, tmp_path, name)
    assert cached(engine, name) == [first]  # reused, not built again
    go(engine, base, label, tmp_path, name, rebuild=True)
    (rebuilt,) = cached(engine, name)
    assert rebuilt != first  # --no-cache built it anew, and the stale one is gone
    web(tmp_path, "two")
    go(engine, base, label, tmp_path, name)
    (changed,) = cached(engine, name)
    assert changed not in (first, rebuilt)
    engine.client.images.remove(changed, force=True)
