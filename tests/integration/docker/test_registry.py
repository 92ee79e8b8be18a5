"""The local registry keeps what was pushed to it, and the v2 client reads it back."""

from __future__ import annotations

import io
from pathlib import Path

import httpx

from release.containers.engine import LABEL, Engine, push
from release.containers.registry import Registry, local_registry
from tests.integration.conftest import left_running, processes


def registries(state: Path) -> list[int]:
    """Pids of docker-registry processes serving from `state`."""
    return processes(
        lambda argv: argv[0].endswith(b"docker-registry") and str(state).encode() in b" ".join(argv)
    )


def build_tiny(engine: Engine, base: str, reference: str, label: str) -> str:
    """An image FROM the base with a label of its own; its id."""
    dockerfile = f"FROM {base}\nRUN echo tiny > /tiny\n".encode()
    image, _ = engine.client.images.build(
        fileobj=io.BytesIO(dockerfile), tag=reference, network_mode="host", rm=True,
        labels={LABEL: label, "org.opencontainers.image.version": "1.4.0rc1"},
    )  # fmt: skip
    assert image.id is not None
    return image.id


def test_pushed_images_are_read_back_and_kept_between_runs(
    engine: Engine, base: str, label: str, tmp_path: Path
) -> None:
    state = tmp_path / "registry"
    with local_registry(state) as address, httpx.Client() as http:
        assert registries(state)
        image = build_tiny(engine, base, f"{address}/tiny:1.4.0rc1", label)
        try:
            pushed = push(engine, f"{address}/tiny", "1.4.0rc1")
        finally:
            engine.client.images.remove(image, force=True)
        registry = Registry(address, http=http)
        digest = registry.manifest_digest("tiny", "1.4.0rc1")
        assert digest == pushed
        assert pushed.startswith("sha256:")
        labels = registry.labels("tiny", "1.4.0rc1")
        assert labels == {LABEL: label, "org.opencontainers.image.version": "1.4.0rc1"}
        assert registry.manifest_digest("tiny", "1.4.0") is None
        assert registry.labels("tiny", "1.4.0") is None
        assert registry.manifest_digest("never-pushed", "1.4.0rc1") is None
    assert not left_running(lambda: registries(state), patience=30.0)
    with local_registry(state) as address, httpx.Client() as http:
        assert Registry(address, http=http).manifest_digest("tiny", "1.4.0rc1") == digest
