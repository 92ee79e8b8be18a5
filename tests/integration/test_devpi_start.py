"""A fresh index server directory starts from the empty one devpi-init made once per machine
and devpi version, not from a devpi-init of its own; a lazily started server is waited for
once, however many threads ask for an index first."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from release.core import loopback
from release.index.devpi import initialised, local_indexes
from release.index.profiles import LocalEndpoints


def _answers(endpoints: LocalEndpoints, role: str) -> int:
    return loopback.request("GET", endpoints.index(role).simple_url, timeout=30.0).status


def test_fresh_states_copy_one_initialised_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no template yet
    first, second = tmp_path / "first", tmp_path / "second"
    with local_indexes(first) as endpoints:
        assert _answers(endpoints, "testpypi") == 200
    assert "devpi-init" in (first / "devpi.log").read_text()  # made the machine's template
    assert initialised(first)

    with local_indexes(second, lazily=True) as endpoints:
        asked: list[int] = []
        start = threading.Barrier(3)

        def ask() -> None:
            start.wait()
            asked.append(_answers(endpoints, "pypi"))

        threads = [threading.Thread(target=ask) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert asked == [200, 200, 200]  # one waited and made the indexes; the others waited
    assert "devpi-init" not in (second / "devpi.log").read_text()
    templates = list((tmp_path / "cache" / "staged-release" / "devpi-init").iterdir())
    assert [t.name for t in templates] == [templates[0].name]  # one, and no scratch left
