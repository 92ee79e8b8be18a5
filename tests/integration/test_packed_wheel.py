"""A wheel packed from an installed distribution (release.artifacts.installed): what the
workflow rehearsal hands its jobs when staged-release runs as an installed tool, without a
source tree. Packed here from the test environment's iniconfig, installed by uv into a fresh
environment: the same files, byte for byte, and a RECORD that holds."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import subprocess
import zipfile
from pathlib import Path

import uv

from release.artifacts.installed import pack_installed


def test_a_packed_wheel_installs_the_installed_files(tmp_path: Path) -> None:
    wheel = pack_installed("iniconfig", tmp_path / "wheels")
    version = importlib.metadata.version("iniconfig")
    assert wheel.name == f"iniconfig-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n.split("/")[0] for n in names if ".dist-info/" in n)
        record = archive.read(f"{info}/RECORD").decode().splitlines()
        for line in record[:-1]:  # each hash is the member's
            name, hashed, size = line.rsplit(",", 2)
            data = archive.read(name)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert (hashed, size) == (f"sha256={digest.decode()}", str(len(data))), name
    assert record[-1] == f"{info}/RECORD,,"
    assert not [n for n in names if n.endswith((".pyc", "/INSTALLER", "/direct_url.json"))]

    venv = tmp_path / "venv"
    subprocess.run([uv.find_uv_bin(), "venv", "--quiet", str(venv)], check=True)
    subprocess.run(
        [uv.find_uv_bin(), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
         "--no-index", "--no-deps", str(wheel)],
        check=True,
    )  # fmt: skip
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import iniconfig; print(iniconfig.__file__)"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    installed = Path(str(importlib.metadata.distribution("iniconfig").locate_file("iniconfig")))
    assert Path(where).parent.is_relative_to(venv)
    originals = sorted(installed.glob("*.py"))
    assert originals  # iniconfig's modules
    for original in originals:
        assert (Path(where).parent / original.name).read_bytes() == original.read_bytes()
