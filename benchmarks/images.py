"""Benchmark (not a test): the images of the example service, per step, and what building all
three variants costs against building one (issue 25 item 4: three at most 1.25 times one, since
they share the install of the wheel and its dependencies and each adds its own layers, built
side by side), both built the way the images stage builds them, in turns.

    nox -s bench -- images [--runs 3]

Uses the engine at DOCKER_HOST, else a private one; the base image is built first if missing
(about 45 s, once per machine). Two kinds of figures:
- a release: a new wheel with the same pins on a machine that built images before (the
  base-derived stages, such as nginx from Debian, and the dependencies' stage are cached;
  everything from the wheel on is built afresh);
- once per machine and base: the first build of the nginx stage (nginx from Debian).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx

from benchmarks import _common as common
from release.artifacts.manifest import sha256_of
from release.config.settings import Settings
from release.containers.base_image import ensure_base
from release.containers.builder import build_image
from release.containers.engine import Engine, open_engine, remove_labelled
from release.containers.registry import local_registry
from release.images import VARIANTS, parts
from release.images.parts import Built
from release.index import profiles as indexes
from tests.integration.examples import NOTES, build_wheel

T = TypeVar("T")
APP, HEALTH, DIST = "notes_service.app:app", "/health", "notes-service"
LABELS = {"dev.staged-release": "benchmark"}
# Versions no run before built: the builder's cache is keyed by content, so the wheel of a
# version built by an earlier run would be a cache hit, not a release.
SERIES = f"0.{int(time.time())}"


def main(argv: list[str] | None = None) -> int:
    runs = common.parser(__doc__, runs=3).parse_args(argv).runs
    with tempfile.TemporaryDirectory() as tmp, open_engine(Path(tmp) / "engine", print) as engine:
        base = timed("base image (cached after the first time)", lambda: ensure_base(engine, print))
        releases = iter(range(1, 2 * runs + 2))
        first = context(Path(tmp), base, next(releases))
        once = build(engine, first, ("nginx-system",), cache=False)
        print(f"first build of the nginx stage, every stage before it uncached too: {once:.1f} s")
        build(engine, first, VARIANTS)  # now the machine has built images before
        one, three = [], []
        for n in range(1, runs + 1):  # in turns, so that a machine slowing down weighs on both
            three.append(build(engine, context(Path(tmp), base, next(releases)), VARIANTS))
            one.append(build(engine, context(Path(tmp), base, next(releases)), ("raw",)))
            print(f"  run {n}/{runs}: three {three[-1]:.2f} s vs one {one[-1]:.2f} s", flush=True)
        row = common.Row("a release: three variants vs one (raw)", three, one, target=1.25)
        print(common.table("\nimages (seconds)", [row]))
        smoke_and_push(engine, first, Path(tmp))
    return 0


def context(tmp: Path, base: str, release: int) -> tuple[Path, dict[str, str]]:
    """A build context for release SERIES.<release> of the example: a new wheel each time."""
    # the project's files only: its state (.staged-release/) is another run's, links and all
    state = shutil.ignore_patterns(".staged-release", ".venv", ".nox")
    copy = tmp / f"notes-{release}"
    source = Path(shutil.copytree(NOTES, copy, ignore=state, dirs_exist_ok=True))
    version = f"{SERIES}.{release}"
    pyproject = source / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('version = "0.1.0"', f'version = "{version}"')
    )
    folder = parts.dockerfile(tmp / f"context-{release}", NOTES)
    wheel = build_wheel(source, tmp / f"dist-{release}")
    pypi = indexes.dependencies(indexes.RELEASE, Settings())
    with httpx.Client(timeout=30) as http:
        target = parts.Target("3.11")  # the debootstrap base's Python
        into = folder / "wheelhouse"
        house = timed(f"wheelhouse of {version} (resolve, download, hash-check)", lambda: (
            parts.build_wheelhouse(wheel, sha256_of(wheel), parts.SERVERS, pypi, target, into, http)
        ))  # fmt: skip
    parts.dependencies(house, folder / parts.DEPENDENCIES)
    args = {"BASE": base, "DIST": DIST, "VERSION": version, "WHEEL": wheel.name, "APP": APP}
    return folder, args


def build(
    engine: Engine,
    where: tuple[Path, dict[str, str]],
    variants: tuple[str, ...],
    cache: bool = True,
) -> float:
    """Seconds to build `variants` as the images stage does (side by side); uncached
    (`cache=False`): one target with every stage it needs built anew."""
    folder, args = where
    started = time.monotonic()
    if cache:
        parts.build_targets(engine, folder, variants, args, LABELS)
    else:
        (variant,) = variants
        options = {
            "target": variant, "buildargs": args, "labels": LABELS,
            "nocache": True,
        }  # fmt: skip
        build_image(engine, folder, options, timeout=1800, what=f"the {variant} image")
    return time.monotonic() - started


def smoke_and_push(engine: Engine, where: tuple[Path, dict[str, str]], tmp: Path) -> None:
    folder, args = where
    version = args["VERSION"]
    label = f"benchmark-{uuid.uuid4().hex[:8]}"
    tagged = {"dev.staged-release": "benchmark"}
    try:
        with local_registry(tmp / "registry") as address:
            for variant in VARIANTS:
                built = parts.build_target(engine, folder, variant, args, tagged)
                log = tmp / "logs" / f"smoke-{variant}.log"
                expect = parts.Smoke(label, HEALTH, DIST, version, log)
                seconds = parts.smoke(engine, built, expect)
                pushed = timed(f"push {variant}", lambda b=built: push(engine, b, address))  # type: ignore[misc]
                print(f"smoke {variant}: {seconds:.1f} s, size {built.size / 1e6:.0f} MB, {pushed}")
    finally:
        remove_labelled(engine, label)


def push(engine: Engine, built: Built, address: str) -> str:
    return parts.push_and_prove(engine, built, f"{address}/benchmark-notes", built.variant)


def timed(what: str, work: Callable[[], T]) -> T:
    started = time.monotonic()
    result = work()
    print(f"{what}: {time.monotonic() - started:.1f} s")
    return result


def fmt(seconds: list[float]) -> str:
    return f"median {statistics.median(seconds):.1f} s ({', '.join(f'{s:.1f}' for s in seconds)})"


if __name__ == "__main__":
    sys.exit(main())
