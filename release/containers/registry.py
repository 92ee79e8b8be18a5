"""The local stand-in for a container registry, and a reader of what any registry holds.

`local_registry` runs Debian's docker-registry on a free 127.0.0.1 port for the block; pushed
images persist in the state directory between runs, like the local indexes' packages. The engine
trusts 127.0.0.0/8 registries without TLS, so plain HTTP serves.

`Registry` speaks the Registry HTTP API v2 to the local registry (plain HTTP on loopback) and to
real ones (HTTPS): a tag's digest and its image's labels. Credentials come from the caller and
stay in memory: never logged, never in argv, never written to disk. They are sent as the standard
challenge asks (release.containers._auth): a Bearer token fetched from the realm the registry
names, or Basic auth.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

# Challenge, Credentials and parse_challenge are re-exported: callers know them from here.
from release.containers._auth import Challenge as Challenge
from release.containers._auth import ChallengeAuth, loopback
from release.containers._auth import Credentials as Credentials
from release.containers._auth import parse_challenge as parse_challenge
from release.containers.engine import Note
from release.core import runner
from release.core.errors import RegistryUnavailable, ToolMissing
from release.core.locks import exclusive
from release.core.service import free_port, shared, wait_started

HOST = "127.0.0.1"
PACKAGE = "docker-registry"  # Debian's package and program
LOG = "registry.log"
READY_TIMEOUT = 30.0  # seconds (measured: it answers within 2 s)
TIMEOUT = 30.0
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
ACCEPT = f"{DOCKER_MANIFEST}, {OCI_MANIFEST}, {DOCKER_LIST}, {OCI_INDEX}"
_REPUSH = "push the image again with a current Docker engine"


def _quiet(_: str) -> None:
    pass


@contextmanager
def local_registry(state: Path, progress: Note = _quiet) -> Iterator[str]:
    """docker-registry for the block; yields its address, "127.0.0.1:PORT". A block nested in
    one that runs it on the same state (in this process) shares that registry."""
    with shared("registry", state, lambda: _serving(state, progress)) as address:
        yield address


@contextmanager
def _serving(state: Path, progress: Note) -> Iterator[str]:
    program = shutil.which(PACKAGE)
    if program is None:
        raise ToolMissing(f"{PACKAGE} is not installed", hint=f"apt-get install {PACKAGE}")
    state.mkdir(parents=True, exist_ok=True)
    with exclusive(state / "registry.lock", "the local registry", progress):
        address = f"{HOST}:{free_port()}"
        service = runner.start([program, "serve", str(_config(state, address))], output=state / LOG)
        try:
            wait_started(
                service, f"http://{address}/v2/", name="docker-registry", budget=READY_TIMEOUT,
                log=state / LOG, error=RegistryUnavailable,
            )  # fmt: skip
            yield address
        finally:
            service.stop()


def _config(state: Path, address: str) -> Path:
    config = state / "registry.yml"
    config.write_text(yaml.safe_dump(registry_config(state / "registry", address)))
    return config


def registry_config(storage: Path, address: str) -> dict[str, Any]:
    return {
        "version": 0.1,
        "log": {"level": "info"},
        "storage": {"filesystem": {"rootdirectory": str(storage)}, "delete": {"enabled": True}},
        "http": {"addr": address},
    }


def base_url(address: str) -> str:
    """Plain HTTP for loopback registries (the engine trusts them so), HTTPS for the rest."""
    if "://" in address:
        return address.rstrip("/")
    scheme = "http" if loopback(urlsplit(f"//{address}").hostname or "") else "https"
    return f"{scheme}://{address}"


class Registry:
    """What a registry holds, read through the Registry HTTP API v2."""

    def __init__(
        self, address: str, *, http: httpx.Client, credentials: Credentials | None = None
    ) -> None:
        self.address = address
        self.base = base_url(address)
        self.http = http
        self.auth = ChallengeAuth(credentials)

    def manifest_digest(self, repo: str, tag: str) -> str | None:
        """The digest `repo:tag` points at, or None when the registry has no such tag."""
        head = self._get(f"/v2/{repo}/manifests/{tag}", method="HEAD")
        if head is None:
            return None
        if digest := head.headers.get("Docker-Content-Digest"):
            return str(digest)
        body = self._get(f"/v2/{repo}/manifests/{tag}")  # some registries omit it on HEAD
        return None if body is None else f"sha256:{hashlib.sha256(body.content).hexdigest()}"

    def tags(self, repo: str) -> list[str]:
        """Every tag of `repo` ([] when the registry has no such repository), page by page as
        the registry's `Link` header leads."""
        found: list[str] = []
        path: str | None = f"/v2/{repo}/tags/list"
        while path is not None:
            response = self._get(path)
            if response is None:
                return found
            found += [str(tag) for tag in self._body(response, path).get("tags") or []]
            path = _next_page(response)
        return found

    def labels(self, repo: str, tag: str, platform: str = "linux/amd64") -> dict[str, str] | None:
        """The image's labels (its config's `Labels`), or None when there is no such tag."""
        manifest = self._manifest(repo, tag, platform)
        if manifest is None:
            return None
        where = f"{self.address}/{repo}:{tag}"
        config = self._json(f"/v2/{repo}/blobs/{_config_digest(manifest, where)}")
        if config is None:
            raise RegistryUnavailable(f"{where}: its image config is missing", hint=_REPUSH)
        labels = (config.get("config") or {}).get("Labels") or {}
        return {str(k): str(v) for k, v in labels.items()}

    def _manifest(self, repo: str, tag: str, platform: str) -> dict[str, Any] | None:
        """The image manifest of `repo:tag`, for `platform` when the tag names several."""
        manifest = self._json(f"/v2/{repo}/manifests/{tag}")
        if manifest is not None and manifest.get("mediaType") in (DOCKER_LIST, OCI_INDEX):
            digest = pick_manifest(manifest, platform, f"{self.address}/{repo}:{tag}")
            manifest = self._json(f"/v2/{repo}/manifests/{digest}")
        return manifest

    def _json(self, path: str) -> dict[str, Any] | None:
        response = self._get(path)
        return None if response is None else self._body(response, path)

    def _body(self, response: httpx.Response, path: str) -> dict[str, Any]:
        try:
            body = response.json()
        except json.JSONDecodeError:
            body = None
        if not isinstance(body, dict):
            raise RegistryUnavailable(
                f"{self.address} answered {path} with something that is not a JSON object",
                hint="check that the address names a container registry",
            )
        return body

    def _get(self, path: str, method: str = "GET") -> httpx.Response | None:
        """The answer, None for 404; every other failure is an error naming the request."""
        try:
            response = self.http.request(
                method, self.base + path, headers={"Accept": ACCEPT}, auth=self.auth,
                follow_redirects=True, timeout=TIMEOUT,  # blobs are often served elsewhere
            )  # fmt: skip
        except httpx.HTTPError as exc:
            raise RegistryUnavailable(
                f"{self.address} cannot be reached: {exc}", hint="check the address and network"
            ) from None
        return None if response.status_code == 404 else self._checked(response, f"{method} {path}")

    def _checked(self, response: httpx.Response, request: str) -> httpx.Response:
        code = response.status_code
        if code in (401, 403):
            raise RegistryUnavailable(
                f"{self.address} refused {request} ({code})",
                hint="give credentials that may pull this repository",
            )
        if response.is_error:
            raise RegistryUnavailable(
                f"{self.address} answered {request} with {code}",
                hint="retry later; if it persists, check the registry's status",
            )
        return response


def _next_page(response: httpx.Response) -> str | None:
    """The path of the next page a paginated answer names (`Link: <...>; rel="next"`)."""
    following = response.links.get("next", {}).get("url")
    if not following:
        return None
    parts = urlsplit(following)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _config_digest(manifest: Mapping[str, Any], where: str) -> str:
    digest = (manifest.get("config") or {}).get("digest")
    if not isinstance(digest, str):
        raise RegistryUnavailable(
            f"{where}: its manifest names no image config (an old schema 1 image?)", hint=_REPUSH
        )
    return digest


def pick_manifest(index: Mapping[str, Any], platform: str, where: str) -> str:
    """The digest of the manifest for `platform` ("os/arch") in a multi-platform index."""
    wanted = dict(zip(("os", "architecture", "variant"), platform.split("/"), strict=False))
    for entry in index.get("manifests") or []:
        found = entry.get("platform") or {}
        if all(found.get(k) == v for k, v in wanted.items()):
            return str(entry["digest"])
    raise RegistryUnavailable(
        f"{where} has no image for {platform}", hint="build and push that platform's image"
    )
