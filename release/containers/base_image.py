"""The base image our images build FROM where none can be pulled: Debian with python3.

Docker Hub cannot be reached everywhere we run, so the base is made offline from Debian's
packages: debootstrap (apt's default mirror, so we pass none) into a temporary tree, archived by
tar and imported into the engine, labelled. The engine keeps it by tag in its persistent data
root, so only the first run pays (about 40 s); a lock keeps two runs from building it at once.
debootstrap keeps the packages it downloads in our cache directory (--cache-dir) and checks each
against the suite's signed index before it reuses one, so a later build (another data root, a
test's own base) downloads only what changed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import docker

from release.containers._housekeeping import remove_tree
from release.containers.engine import LABEL, Engine, Note
from release.core import runner
from release.core.caches import cache_dir
from release.core.errors import ToolMissing
from release.core.locks import exclusive

NAME = "staged-release-base"
SUITE = "bookworm"  # the tag names the Debian suite it was made from
PACKAGES = ("python3", "python3-venv", "ca-certificates")
BUDGET = 1200.0  # seconds for debootstrap (measured: 36-40 s with a good mirror)
CHANGES = (
    f"LABEL {LABEL}=base",
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    'CMD ["python3"]',
)
# Downloaded packages and apt's lists are no part of the system (a build runs apt-get update).
EXCLUDE = ("./var/cache/apt/archives/*.deb", "./var/lib/apt/lists/*_*")


def _quiet(_: str) -> None:
    pass


def ensure_base(
    engine: Engine,
    progress: Note = _quiet,
    name: str = NAME,
    tag: str = SUITE,
    *,
    log_to: Path | None = None,
) -> str:
    """The reference of the base image, built first when the engine lacks it."""
    reference = f"{name}:{tag}"
    if _present(engine, reference):
        return reference
    lock = cache_dir(os.environ) / "locks" / f"base-{reference.replace('/', '_')}.lock"
    with exclusive(lock, f"the build of {reference}", progress):
        if not _present(engine, reference):  # the run we waited for may have built it
            _build(engine, name, tag, progress, log_to)
    return reference


def _present(engine: Engine, reference: str) -> bool:
    try:
        engine.client.images.get(reference)
    except docker.errors.ImageNotFound:
        return False
    return True


def _build(engine: Engine, name: str, tag: str, progress: Note, log_to: Path | None) -> None:
    _require_debootstrap(f"{name}:{tag}")
    progress(f"building the base image {name}:{tag} with debootstrap (once; about a minute)")
    with _scratch(progress) as scratch:
        root, tarball = scratch / "root", scratch / "root.tar"
        with _package_cache(progress) as packages:
            runner.run(debootstrap_argv(tag, root, packages), timeout=BUDGET, log_to=log_to)
        runner.run(tar_argv(root, tarball), log_to=log_to)
        # The SDK streams the file to the engine: no shell pipe, no second copy in memory.
        engine.client.api.import_image(
            src=str(tarball), repository=name, tag=tag, changes=list(CHANGES)
        )
    progress(f"built {name}:{tag}")


def _require_debootstrap(reference: str) -> None:
    if shutil.which("debootstrap", path=f"{os.environ.get('PATH', '')}:/usr/sbin") is None:
        raise ToolMissing(
            f"debootstrap is not installed: the base image {reference} cannot be built",
            hint="apt-get install debootstrap",
        )
    if os.geteuid() != 0:
        raise ToolMissing(
            f"building the base image {reference} needs root for debootstrap (uid {os.geteuid()})",
            hint="run once as root, or provide an image under that name (docker tag)",
        )


@contextmanager
def _package_cache(progress: Note) -> Iterator[Path]:
    """The folder debootstrap keeps its packages in, one build at a time (a second writing the
    same file would spoil the first's download)."""
    folder = cache_dir(os.environ) / "debootstrap"
    with exclusive(folder.with_name("debootstrap.lock"), "the Debian package cache", progress):
        folder.mkdir(parents=True, exist_ok=True)
        yield folder.resolve()  # debootstrap wants an absolute path


def debootstrap_argv(suite: str, root: Path, packages: Path) -> list[str]:
    return [
        "debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}",
        f"--cache-dir={packages}", suite, str(root),
    ]  # fmt: skip


def tar_argv(root: Path, tarball: Path) -> list[str]:
    excludes = [f"--exclude={pattern}" for pattern in EXCLUDE]
    return ["tar", "-C", str(root), "--numeric-owner", *excludes, "-cf", str(tarball), "."]


@contextmanager
def _scratch(progress: Note) -> Iterator[Path]:
    """A temporary directory, removed after (with whatever an interrupted debootstrap left
    mounted in its tree, such as /proc, unmounted first)."""
    scratch = Path(tempfile.mkdtemp(prefix="sr-base-"))
    try:
        yield scratch
    finally:
        remove_tree(scratch, progress)
