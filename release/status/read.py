"""The readers: what git, both indexes, the registry, dist/ and the validation records say,
gathered into plain facts. Read-only and with no credentials, except a registry's pull
credential when the environment gives one (private registries ask for it even to read)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from release.artifacts.manifest import MANIFEST, Manifest, load
from release.config.images import ImagesSpec
from release.containers.registry import Credentials, Registry, local_registry
from release.context import Run
from release.core import git
from release.images import REVISION_LABEL, VARIANTS, VERSION_LABEL, WHEEL_LABEL, read_tag
from release.images.access import PASSWORD_ENV, USERNAME_ENV
from release.index.profiles import RELEASE, STAGING, Index, Mode
from release.status.facts import Facts, Image, Listing, Tag, is_release_tag
from release.validation import results
from release.versioning.versions import loose_version

OFFLINE = "--offline: only git tags, dist/ and the validation records were read"
LABELS = {STAGING: "TestPyPI", RELEASE: "PyPI"}


def gather(run: Run, *, offline: bool) -> Facts:
    project = run.config.name
    notes: list[str] = [OFFLINE] if offline else []
    staging = None if offline else _listing(run, STAGING, project)
    release = None if offline else _listing(run, RELEASE, project)
    spec = run.config.settings.images
    images, repository = (None, "") if offline else _images(run, spec, notes)
    return Facts(
        project, _tags(run.repo, notes), staging, release, images, VARIANTS if spec else (),
        repository, _manifest(run.dist, project), tuple(results.records(run.state)),
        tuple(run.config.pythons), _current(run.config.version), tuple(notes),
    )  # fmt: skip


def _tags(repo: Path, notes: list[str]) -> tuple[Tag, ...] | None:
    if not git.head_revision(repo):
        notes.append(f"{repo} is not a git repository with a commit: tags were not read")
        return None
    found = []
    for name, commit in git.tag_commits(repo).items():
        try:
            found.append(Tag(name, loose_version(name), commit))
        except InvalidVersion:
            continue  # not a version tag ("docs-2024"): it names no release
    return tuple(found)


def _listing(run: Run, name: str, project: str) -> Listing:
    index = run.index(name)
    return Listing(_label(index, name), tuple(run.listing(index, project)))


def _label(index: Index, name: str) -> str:
    label = LABELS.get(name, index.name)
    if index.local or index.stand_in:
        return f"{'local' if index.local else 'stand-in'} {label}"
    return label


def _images(
    run: Run, spec: ImagesSpec | None, notes: list[str]
) -> tuple[tuple[Image, ...] | None, str]:
    """What the registry holds under the project's image repository, and where that is."""
    if spec is None:
        notes.append("the project declares no images: the registry was not read")
        return None, ""
    name = spec.name or run.config.name
    if run.mode is Mode.LOCAL and not (run.state / "registry" / "registry").is_dir():
        return (), f"local registry/{name}"  # the stand-in before its first push holds nothing
    with _registry(run, spec, notes) as registry:
        if registry is None:
            return None, ""
        ours = [tag for tag in sorted(registry.tags(name)) if is_release_tag(tag)]
        held = tuple(_image(registry, name, tag) for tag in ours)
        where = "local registry" if run.mode is Mode.LOCAL else registry.address  # a free port
        return held, f"{where}/{name}"


@contextmanager
def _registry(run: Run, spec: ImagesSpec, notes: list[str]) -> Iterator[Registry | None]:
    """The local stand-in with --indexes local, else the configured registry, read with a pull
    credential when the environment has one."""
    if run.mode is Mode.LOCAL:
        with local_registry(run.state / "registry", run.progress) as address:
            yield Registry(address, http=run.http)
        return
    if spec.registry is None:
        notes.append("[tool.staged-release.images] names no registry: images were not read")
        yield None
        return
    yield Registry(spec.registry, http=run.http, credentials=_credentials(run, spec))


def _credentials(run: Run, spec: ImagesSpec) -> Credentials | None:
    names = (spec.username_env or USERNAME_ENV, spec.password_env or PASSWORD_ENV)
    username, password = (run.env.get(n, "") for n in names)
    return Credentials(username, password) if username and password else None


def _image(registry: Registry, name: str, tag: str) -> Image:
    names, variant = read_tag(tag)
    labels = registry.labels(name, tag) or {}
    digest = registry.manifest_digest(name, tag) or ""
    return Image(
        tag, names, variant, digest, labels.get(WHEEL_LABEL, ""), labels.get(VERSION_LABEL, ""),
        labels.get(REVISION_LABEL, ""),
    )  # fmt: skip


def _manifest(dist: Path, project: str) -> Manifest | None:
    """dist/'s manifest when there is one of this project (a missing one is no error here)."""
    if not (dist / MANIFEST).is_file():
        return None
    manifest = load(dist)
    return manifest if canonicalize_name(manifest.name) == canonicalize_name(project) else None


def _current(version: str | None) -> Version | None:
    return None if version is None else Version(version)
