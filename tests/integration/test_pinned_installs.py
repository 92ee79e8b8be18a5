"""Check tools pinned exactly (uv.lock's) come from uv's cache of the index when it holds them
all, and from the index otherwise: shown with the index stopped, so a cached install cannot
have asked it, and one that had to ask it fails."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from release.config.project import DEFAULT_PYTHONS
from release.core.errors import CommandFailed
from release.index.devpi import local_indexes
from release.index.profiles import Index
from release.upload.stage import upload
from release.validation import environments
from tests.integration.conftest import build_at, make_run, unique

PYTHON = DEFAULT_PYTHONS[0]


def _installed(env: environments.Environment, name: str) -> bool:
    return any(env.root.glob(f"lib/python*/site-packages/{name}-*.dist-info"))


def test_exact_pins_come_from_the_cache_and_the_rest_from_the_index(
    tmp_path: Path, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))  # empty: nothing cached yet
    name = unique("sr-tool")
    built = build_at(tmp_path / "tool", name, "1.0.0rc1")
    dist = built.name.replace("-", "_")
    log = tmp_path / "environment.log"
    with local_indexes(tmp_path / "indexes") as endpoints:
        upload(make_run(tmp_path / "tool", endpoints, http, tmp_path / "state"), "testpypi")
        index = endpoints.index("testpypi")
        first = environments.create(tmp_path / "first" / "venv", PYTHON)
        _install(first, index, [f"{name}==1.0.0rc1"], log)
        assert _installed(first, dist)
        # Not in the cache yet: the cached attempt failed and the index answered.
        assert [" --offline" in line for line in _commands(log)] == [True, False]

    # The index is gone now: only the cache can answer.
    second = environments.create(tmp_path / "second" / "venv", PYTHON)
    _install(second, index, [name, f"{name}==1.0.0rc1"], log)
    assert _installed(second, dist)
    assert [" --offline" in line for line in _commands(log)] == [True, False, True]

    # A range is not a pin: it goes to the index (stopped), whatever the cache holds.
    third = environments.create(tmp_path / "third" / "venv", PYTHON)
    with pytest.raises(CommandFailed):
        _install(third, index, [f"{name}>=1"], log)
    assert not _installed(third, dist)
    assert " --offline" not in _commands(log)[-1]


def _install(
    env: environments.Environment, index: Index, requirements: list[str], log: Path
) -> None:
    """As a cell installs its check tools."""
    environments.install_from(env, index, requirements, "checks", log, cached_pins=True)


def _commands(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if line.startswith("$ ")]
