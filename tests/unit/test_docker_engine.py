"""Where a private engine keeps things, how it is started, and what we say when none can be."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from release.containers._housekeeping import new_run_dir
from release.containers.base_image import debootstrap_argv, tar_argv
from release.containers.engine import (
    default_data_root,
    dockerd_argv,
    host_in,
    lock_for,
    open_engine,
)
from release.core.caches import cache_dir
from release.core.errors import EngineUnavailable

SOCKET_LIMIT = 107  # bytes in sun_path, less the terminating NUL


def test_the_data_root_is_in_the_users_cache() -> None:
    assert default_data_root({"HOME": "/home/maintainer"}) == Path(
        "/home/maintainer/.cache/staged-release/docker"
    )
    assert cache_dir({"HOME": "/h", "XDG_CACHE_HOME": "/var/cache/me"}) == Path(
        "/var/cache/me/staged-release"
    )


def test_a_relative_xdg_cache_home_is_ignored_as_the_spec_says() -> None:
    assert cache_dir({"HOME": "/h", "XDG_CACHE_HOME": "relative"}) == Path(
        "/h/.cache/staged-release"
    )


def test_the_lock_sits_beside_the_data_root_not_in_it() -> None:
    assert lock_for(Path("/c/staged-release/docker")) == Path("/c/staged-release/docker.lock")


def test_a_private_engine_uses_no_bridge_no_rules_and_no_host_config(tmp_path: Path) -> None:
    argv = dockerd_argv("/usr/sbin/dockerd", tmp_path, Path("/data"))
    for flag in ("--bridge=none", "--iptables=false", "--ip-forward=false"):
        assert flag in argv
    config = Path(argv[argv.index("--config-file") + 1])
    assert config.parent == tmp_path
    # nothing of the host's daemon.json; only a bound on BuildKit's cache
    gc = {"enabled": True, "defaultKeepStorage": "10GB"}
    assert json.loads(config.read_text()) == {"builder": {"gc": gc}}
    assert argv[argv.index("--data-root") + 1] == "/data"
    assert argv[argv.index("--host") + 1] == host_in(tmp_path)


def test_the_socket_path_fits_even_when_temporary_paths_are_long(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = tmp_path / ("deep" * 30)
    long.mkdir()
    monkeypatch.setenv("TMPDIR", str(long))
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile reads TMPDIR again
    run = new_run_dir()
    try:
        sockets = [host_in(run), f"unix://{run}/exec/containerd/containerd.sock.ttrpc"]
        assert all(len(s.removeprefix("unix://").encode()) <= SOCKET_LIMIT for s in sockets)
    finally:
        run.rmdir()


def test_without_an_engine_or_dockerd_the_error_says_why_and_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = f"unix://{tmp_path}/nothing.sock"
    monkeypatch.setenv("DOCKER_HOST", host)
    monkeypatch.setattr(shutil, "which", lambda *_, **__: None)
    with pytest.raises(EngineUnavailable) as caught, open_engine(tmp_path):
        pass
    said = f"no Docker engine answers at {host} and dockerd is not installed"
    assert caught.value.message == said
    assert caught.value.hint == "apt-get install docker.io docker-registry debootstrap"


def test_the_base_is_debootstrapped_from_the_default_mirror_and_archived_without_caches() -> None:
    argv = debootstrap_argv("bookworm", Path("/t/root"), Path("/c/debootstrap"))
    # No mirror: debootstrap's default is right. Its packages are kept (and checked on reuse).
    assert argv == [
        "debootstrap", "--variant=minbase", "--include=python3,python3-venv,ca-certificates",
        "--cache-dir=/c/debootstrap", "bookworm", "/t/root",
    ]  # fmt: skip
    tar = tar_argv(Path("/t/root"), Path("/t/root.tar"))
    assert tar[-3:] == ["-cf", "/t/root.tar", "."]
    assert "--exclude=./var/cache/apt/archives/*.deb" in tar
