"""The three image variants, built from the example service's wheel and a wheelhouse for the
base's Python 3.11, answer their health path on 127.0.0.1 with host networking and hold
exactly that wheel. Everything built or started here carries one label and is removed after."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import time
import uuid
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import httpx
import pytest
from docker.models.containers import Container
from packaging.utils import parse_wheel_filename

from release.artifacts.manifest import sha256_of
from release.config.settings import Settings
from release.containers.base_image import ensure_base
from release.containers.builder import build_image
from release.containers.engine import LABEL, Engine, remove_labelled
from release.core.errors import CheckFailed, ImageBuildFailed
from release.core.service import free_port
from release.images._build import Built, Smoke, shipped, smoke
from release.images._tags import VARIANTS
from release.images._wheelhouse import DEPENDENCIES, Target, build, dependencies
from release.index import profiles as indexes
from tests.integration.examples import NOTES, build_wheel

BASE_PYTHON = "3.11"  # the debootstrap bookworm base's
SERVERS = ("uvicorn", "granian")
APP = "notes_service.app:app"
PATIENCE = 60.0  # seconds for a service to answer after its container starts
IMAGE_USER = "10001"
TLS = "/etc/staged-release/tls"


@pytest.fixture(scope="module")
def label() -> str:
    return f"test-images-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(NOTES, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def context(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _context(tmp_path_factory.mktemp("context"), wheel)


@pytest.fixture(scope="module")
def images(engine: Engine, label: str, wheel: Path, context: Path) -> Iterator[dict[str, str]]:
    """Image id per variant (the venv stage is built as a target too, so that it is labelled
    and removed with the rest instead of staying behind untagged)."""
    args = _args(engine, wheel)
    try:
        built = {}
        for target in (*VARIANTS, "venv"):
            started = time.monotonic()
            built[target] = _build(engine, context, target, args, label)
            print(f"built {target} in {time.monotonic() - started:.1f} s")  # noqa: T201 - figures, not asserts
        yield built
    finally:
        remove_labelled(engine, label)
        for image in engine.client.images.list(filters={"label": f"{LABEL}={label}"}):
            engine.client.images.remove(str(image.id), force=True)


@pytest.fixture(scope="module")
def running(engine: Engine, images: dict[str, str], label: str) -> dict[str, tuple[Container, int]]:
    """One container per variant, all started at once; removed with the images."""
    found = {}
    for variant in VARIANTS:
        port = free_port()
        found[variant] = (_start(engine, images[variant], label, port), port)
    return found


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_variant_answers_its_health_path_with_the_wheels_version(
    running: dict[str, tuple[Container, int]], wheel: Path, variant: str
) -> None:
    container, port = running[variant]
    answer = _wait_for_health(f"http://127.0.0.1:{port}/health", container)
    assert answer.json() == {"status": "ok", "version": _version(wheel)}


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_image_holds_the_wheel_and_runs_unprivileged(
    running: dict[str, tuple[Container, int]], wheel: Path, variant: str
) -> None:
    container, _ = running[variant]
    probe = "import importlib.metadata as m; print(m.version('notes-service'))"
    assert _exec(container, "python", "-c", probe) == _version(wheel)
    assert _exec(container, "id", "-u") == IMAGE_USER
    # its own HOME and state directory, both writable by it (a volume goes on the latter)
    places = 'for d in "$HOME" "$STATE_DIRECTORY"; do stat -c "%n %u %a" "$d"; test -w "$d"; done'
    assert _exec(container, "sh", "-c", places).splitlines() == [
        f"/home/app {IMAGE_USER} 700",
        f"/var/lib/notes-service {IMAGE_USER} 750",
    ]
    assert _exec(container, "sh", "-c", "ls /wheelhouse 2>&1 || true").endswith(
        "No such file or directory"
    )


def test_a_failed_smoke_test_keeps_the_containers_whole_log_and_names_it(
    engine: Engine, images: dict[str, str], wheel: Path, tmp_path: Path
) -> None:
    log = tmp_path / "logs" / "images" / "smoke-raw.log"
    expect = Smoke(f"test-smoke-{uuid.uuid4().hex[:8]}", "/health", "notes-service", "0.0.0", log)
    try:
        with pytest.raises(CheckFailed) as failed:  # the image holds the wheel's version
            smoke(engine, Built("raw", images["raw"], 0), expect)
    finally:
        remove_labelled(engine, expect.label)
    assert failed.value.message == f"the raw image holds notes-service {_version(wheel)}, not 0.0.0"
    assert failed.value.log == str(log)
    assert str(log) in str(failed.value.hint)
    assert "Uvicorn running on http://127.0.0.1:" in log.read_text()  # uvicorn's own start-up


def test_docker_sees_every_variant_healthy(running: dict[str, tuple[Container, int]]) -> None:
    """The image's own HEALTHCHECK (health.py) agrees; its first probe comes after 10 s."""
    states = {}
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        states = {variant: _health(container) for variant, (container, _) in running.items()}
        if "starting" not in states.values():
            break
        time.sleep(1)
    assert states == dict.fromkeys(VARIANTS, "healthy")


def test_nginx_serves_tls_when_a_certificate_is_mounted(
    engine: Engine, images: dict[str, str], label: str, wheel: Path, tmp_path: Path
) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate to mount")
    certificate = _self_signed(tmp_path / "tls")
    port = free_port()
    mount = {str(tmp_path / "tls"): {"bind": TLS, "mode": "ro"}}
    container = _start(engine, images["nginx"], label, port, volumes=mount)
    trusted = ssl.create_default_context(cafile=str(certificate))
    answer = _wait_for_health(f"https://127.0.0.1:{port}/health", container, verify=trusted)
    assert answer.json()["version"] == _version(wheel)
    assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 400  # TLS only


def test_nginx_container_ends_when_its_app_server_dies(
    engine: Engine, images: dict[str, str], label: str
) -> None:
    port = free_port()
    container = _start(engine, images["nginx"], label, port)
    _wait_for_health(f"http://127.0.0.1:{port}/health", container)
    # No procps in a minimal base: find uvicorn (`python3 /opt/app/bin/uvicorn ...`) in /proc.
    kill_uvicorn = (
        "import os, signal\n"
        "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
        "    if b'/uvicorn\\0' in open(f'/proc/{pid}/cmdline', 'rb').read():\n"
        "        os.kill(int(pid), signal.SIGKILL)\n"
    )
    _exec(container, "python", "-c", kill_uvicorn)
    assert container.wait(timeout=30)["StatusCode"] != 0


@pytest.mark.parametrize("variant", VARIANTS)
def test_docker_stop_ends_a_variant_cleanly(
    engine: Engine, images: dict[str, str], label: str, variant: str
) -> None:
    port = free_port()
    container = _start(engine, images[variant], label, port)
    _wait_for_health(f"http://127.0.0.1:{port}/health", container)
    container.stop(timeout=10)
    assert container.wait(timeout=30)["StatusCode"] == 0


def test_a_variants_opt_app_is_the_checked_venv_file_for_file(
    engine: Engine, images: dict[str, str], label: str
) -> None:
    """The variants copy the dependencies' /opt/app and then only the files our wheel installed
    (its RECORD): together they must be the venv stage's /opt/app, which pip check and the
    version check passed, compiled files and dist-info included."""
    listing = "cd /opt/app && find . -printf '%p %y %s %m %U\\n' | sort"
    found = {
        image: engine.client.containers.run(
            images[image], ["-c", listing], entrypoint="sh", user="0", remove=True,
            labels={LABEL: label}, network_mode="host",
        ).decode()
        for image in ("venv", "raw", "nginx")
    }  # fmt: skip
    ours = [line for line in found["venv"].splitlines() if "/notes_service" in line]
    assert any(".dist-info/RECORD f " in line for line in ours)  # our wheel's files are listed
    assert any("/notes_service/__pycache__/app.cpython-311.pyc f " in line for line in ours)
    assert found["raw"] == found["venv"]
    assert found["nginx"] == found["venv"]


@pytest.mark.usefixtures("images")  # built first, and removes what is built here
def test_a_release_with_the_same_pins_finds_the_dependencies_installed(
    engine: Engine, label: str, context: Path, tmp_path: Path
) -> None:
    """Another release (a new wheel, the same pins) builds its venv on the very layers of the
    dependencies' stage that the first build made; other pins install them anew."""
    base = _layers(engine, ensure_base(engine))
    first = _layers(engine, _build(engine, context, "deps", _args(engine, None), label))
    wheel = build_wheel(_released(tmp_path / "notes", "0.1.1"), tmp_path / "dist")
    again = _with_wheel(context, wheel, tmp_path / "again")
    venv = _build(engine, again, "venv", _args(engine, wheel), label, tag="again")
    assert _layers(engine, venv)[: len(first)] == first  # cached: not installed again
    other = _without(again, "granian", tmp_path / "other")
    changed = _layers(engine, _build(engine, other, "deps", _args(engine, None), label))
    assert changed[: len(base)] == base
    assert set(changed[len(base) :]).isdisjoint(first)  # copied and installed anew


def _args(engine: Engine, wheel: Path | None) -> dict[str, str]:
    if wheel is None:  # the deps stage takes the base alone
        return {"BASE": ensure_base(engine)}
    return {
        "BASE": ensure_base(engine), "DIST": "notes-service", "VERSION": _version(wheel),
        "WHEEL": wheel.name, "APP": APP,
    }  # fmt: skip


def _layers(engine: Engine, image: str) -> list[str]:
    return list(engine.client.images.get(image).attrs["RootFS"]["Layers"])


def _released(folder: Path, version: str) -> Path:
    """A copy of the example at another version (its project files only)."""
    state = shutil.ignore_patterns(".staged-release", ".venv", ".nox", "dist")
    copy = Path(shutil.copytree(NOTES, folder, ignore=state))
    pyproject = copy / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('version = "0.1.0"', f'version = "{version}"')
    )
    return copy


def _with_wheel(context: Path, wheel: Path, folder: Path) -> Path:
    """A copy of `context` whose wheelhouse holds `wheel` instead of ours."""
    copy = Path(shutil.copytree(context, folder))
    for ours in (copy / "wheelhouse").glob("notes_service-*.whl"):
        ours.unlink()
    shutil.copy2(wheel, copy / "wheelhouse")
    return copy


def _without(context: Path, name: str, folder: Path) -> Path:
    """A copy of `context` whose pins lack `name` (its line and its wheel)."""
    copy = Path(shutil.copytree(context, folder))
    for place in (copy / "wheelhouse", copy / DEPENDENCIES):
        requirements = place / "requirements.txt"
        lines = requirements.read_text().splitlines(keepends=True)
        requirements.write_text("".join(x for x in lines if not x.startswith(f"{name}==")))
        for wheel in place.glob(f"{name}-*.whl"):
            wheel.unlink()
    return copy


def _context(folder: Path, wheel: Path) -> Path:
    """The Dockerfile and its scripts as the installed package ships them, plus a wheelhouse."""
    with resources.as_file(shipped()) as files:
        shutil.copytree(files, folder, dirs_exist_ok=True)
    pypi = indexes.dependencies(indexes.RELEASE, Settings())
    with httpx.Client(timeout=30.0) as http:
        target = Target(BASE_PYTHON)
        house = build(wheel, sha256_of(wheel), SERVERS, pypi, target, folder / "wheelhouse", http)
    dependencies(house, folder / DEPENDENCIES)
    return folder


def _build(
    engine: Engine, context: Path, target: str, args: dict[str, str], label: str, tag: str = ""
) -> str:
    tag = f"staged-release-test/notes-service:{target}-{label}{tag and '-'}{tag}"
    options = {
        "target": target, "t": tag, "buildargs": args,
        "labels": {LABEL: label},
    }  # fmt: skip
    try:  # as the images stage builds (release.images.parts.build)
        return build_image(engine, context, options, timeout=1800, what=f"the {target} image")
    except ImageBuildFailed as exc:
        pytest.fail(exc.message)


def _start(
    engine: Engine,
    image: str,
    label: str,
    port: int,
    volumes: dict[str, dict[str, str]] | None = None,
) -> Container:
    return engine.client.containers.run(
        image, detach=True, network_mode="host", labels={LABEL: label},
        environment={"PORT": str(port)}, volumes=volumes or {},
    )  # fmt: skip


def _wait_for_health(
    url: str, container: Container, verify: ssl.SSLContext | bool = True
) -> httpx.Response:
    deadline = time.monotonic() + PATIENCE
    while True:
        try:
            answer = httpx.get(url, timeout=5, verify=verify)
            if answer.status_code == 200:
                return answer
        except httpx.TransportError:
            pass
        container.reload()
        if container.status != "running" or time.monotonic() > deadline:
            logs = container.logs().decode(errors="replace")[-3000:]
            pytest.fail(f"{url} did not answer 200 (container {container.status}):\n{logs}")
        time.sleep(0.2)


def _exec(container: Container, *argv: str) -> str:
    code, output = container.exec_run(list(argv))
    assert isinstance(output, bytes)  # not streamed
    assert code == 0, output.decode(errors="replace")
    return output.decode().strip()


def _health(container: Container) -> str:
    container.reload()
    return str(container.attrs["State"].get("Health", {}).get("Status", "none"))


def _self_signed(folder: Path) -> Path:
    folder.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    (folder / "key.pem").chmod(0o644)  # the image's user is not the host's
    return folder / "cert.pem"


def _version(wheel: Path) -> str:
    return str(parse_wheel_filename(wheel.name)[1])
