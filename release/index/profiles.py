"""Index profiles: the one place that knows where PyPI and TestPyPI live.

The addresses come from twine's constants, never spelled out here. Profiles are `pypi`,
`testpypi`, `local` (the PyPI stand-in, as a dependency index) and custom ones from
`[tool.staged-release.indexes]`. The switch `--indexes local` (or STAGED_RELEASE_INDEXES=local)
moves the publishing profiles `testpypi` and `pypi` onto the local stand-ins; `stand-ins` moves
them onto running stand-ins that the environment names (the workflow rehearsal's, which offer
trusted publishing): those take the whole credential path of the real ones.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

from release.config.settings import Settings
from release.core.errors import ConfigError, CredentialMissing

E = TypeVar("E", bound=enum.Enum)

MODE_ENV = "STAGED_RELEASE_INDEXES"
TRUSTED_PUBLISHING_ENV = "STAGED_RELEASE_TRUSTED_PUBLISHING"
DEPENDENCY_INDEX_ENV = "STAGED_RELEASE_DEPENDENCY_INDEX"
STAGING, RELEASE = "testpypi", "pypi"  # the staging index takes rcs, the release index finals
LOCAL = "local"
TOKEN_VARIABLES = {STAGING: "TESTPYPI_API_TOKEN", RELEASE: "PYPI_API_TOKEN"}
# With STAGED_RELEASE_INDEXES=stand-ins: the upload URL of each running stand-in.
STAND_IN_URL_ENV = {STAGING: "STAGED_RELEASE_TESTPYPI_URL", RELEASE: "STAGED_RELEASE_PYPI_URL"}


class Mode(enum.StrEnum):
    PUBLIC = "public"
    LOCAL = "local"
    STAND_INS = "stand-ins"  # running stand-ins named by STAND_IN_URL_ENV

    @property
    def offline(self) -> bool:
        """Stand-ins: nothing can be pulled there, so images build on the embedded base."""
        return self is not Mode.PUBLIC


class Policy(enum.StrEnum):
    """Whether an upload exchanges the CI's identity token for an upload token."""

    AUTO = "auto"  # when the CI offers an identity token; else the index's token variable
    ALWAYS = "always"  # never fall back to a long-lived token
    NEVER = "never"  # the token variable only


@dataclass(frozen=True)
class Index:
    name: str  # how reports name it: "testpypi", "local testpypi", a custom name
    simple_url: str  # the simple API root, ending in "/"
    upload_url: str | None = None
    token_env: str | None = None  # a per-index token variable
    local: bool = False  # a stand-in: anonymous uploads, no credentials
    trusted_publishing: bool = False  # mints upload tokens at <upload origin>/_/oidc/
    stand_in: bool = False  # a running stand-in named by the environment (see StandIns)
    attestations: bool = True  # False: the profile says the index takes none (`attestations`)


@dataclass(frozen=True)
class LocalEndpoints:
    """Where the running stand-ins answer (see release.index.devpi). `ready`: the wait for a
    server still starting, done before the first index is handed out (every read of the
    stand-ins starts from one), so a cell does its own first steps meanwhile."""

    base_url: str  # "http://127.0.0.1:PORT/"
    ready: Callable[[], object] | None = field(default=None, compare=False, repr=False)

    def index(self, role: str) -> Index:
        if self.ready is not None:
            self.ready()
        root = f"{self.base_url}root/{role}/"
        return Index(f"local {role}", f"{root}+simple/", root, None, local=True)


@dataclass(frozen=True)
class StandIns:
    """Running stand-ins of TestPyPI and PyPI that the environment names (STAND_IN_URL_ENV).
    Unlike the local ones they are not anonymous: trusted publishing, the token variables and
    refusals go as with the real indexes. Only attestations are skipped (see the upload)."""

    upload_urls: Mapping[str, str]  # role -> upload URL; the simple API is `+simple/` below it

    def index(self, role: str) -> Index:
        root = self.upload_urls[role]
        return Index(f"stand-in {role}", f"{root}+simple/", root, TOKEN_VARIABLES[role],
                     trusted_publishing=True, stand_in=True)  # fmt: skip


def read_stand_ins(env: Mapping[str, str]) -> StandIns:
    """The running stand-ins the environment names; ConfigError naming what is missing."""
    missing = [name for name in STAND_IN_URL_ENV.values() if not env.get(name)]
    if missing:
        raise ConfigError(
            f"{MODE_ENV}={Mode.STAND_INS} needs {' and '.join(missing)} (not set)",
            hint="set each to its running stand-in's upload URL (`rehearse --workflow` does), "
            "or use --indexes local",
        )
    roots = {role: _upload_root(name, env[name]) for role, name in STAND_IN_URL_ENV.items()}
    return StandIns(roots)


def _upload_root(name: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{name}={url!r} is no http(s) URL",
            hint="give the running stand-in's upload URL (http://127.0.0.1:PORT/root/NAME/)",
        )
    return url if url.endswith("/") else url + "/"


def read_mode(flag: str | None, env: Mapping[str, str]) -> Mode:
    hint = f"use --indexes public, local or stand-ins ({MODE_ENV})"
    return _choice(Mode, flag or env.get(MODE_ENV) or Mode.PUBLIC, "index mode", hint)


def read_policy(flag: str | None, env: Mapping[str, str]) -> Policy:
    hint = f"use auto, always or never (--trusted-publishing or {TRUSTED_PUBLISHING_ENV})"
    text = flag or env.get(TRUSTED_PUBLISHING_ENV) or Policy.AUTO
    return _choice(Policy, text, "trusted-publishing policy", hint)


def _choice(kind: type[E], text: str, what: str, hint: str) -> E:
    """The member of `kind` a flag or variable names; a ConfigError naming `what` otherwise."""
    try:
        return kind(text)
    except ValueError:
        raise ConfigError(f"unknown {what} {text!r}", hint=hint) from None


def publishing(
    name: str,
    mode: Mode,
    settings: Settings,
    local: LocalEndpoints | None = None,
    stand_ins: StandIns | None = None,
) -> Index:
    """The index a `--index NAME` upload or validation talks to."""
    if name in (STAGING, RELEASE):
        if mode is Mode.STAND_INS:
            if stand_ins is None:  # a programming error: the caller reads them first
                raise RuntimeError("the running stand-ins were not read from the environment")
            return stand_ins.index(name)
        return _stand_in(local, name) if mode is Mode.LOCAL else _public(name)
    if name in settings.indexes:
        return _custom(name, settings)
    known = ", ".join([STAGING, RELEASE, *settings.indexes])
    raise ConfigError(f"unknown index {name!r}", hint=f"use one of: {known}")


def dependencies(name: str, settings: Settings, local: LocalEndpoints | None = None) -> Index:
    """The trusted index dependencies come from. It is read-only, so the mode does not move it."""
    check_dependency_index(name, settings)
    if name == LOCAL:
        return _stand_in(local, RELEASE)
    if name == RELEASE:
        return _public(RELEASE)
    return _custom(name, settings)


def check_dependency_index(name: str, settings: Settings) -> None:
    """Refuse a dependency index that is not pypi, local or a configured one, without resolving
    it (pure): a run checks the name when it opens, also when nothing will install from it."""
    if name not in (LOCAL, RELEASE) and name not in settings.indexes:
        raise ConfigError(
            f"dependency index {name!r} is not pypi, local or a configured index",
            hint="TestPyPI is never trusted for dependencies; use pypi or a configured index",
        )


def needs_local(mode: Mode, dependency_index: str) -> bool:
    return mode is Mode.LOCAL or dependency_index == LOCAL


def credentials(index: Index, env: Mapping[str, str]) -> dict[str, str]:
    """The TWINE_* variables for an upload to `index`, read from `env` and never from argv."""
    if index.local:
        # devpi stand-ins accept anonymous uploads; twine still wants a name and something to send.
        return {"TWINE_USERNAME": "anonymous", "TWINE_PASSWORD": "-"}
    token = env.get(index.token_env or "")
    if token:
        return {"TWINE_USERNAME": "__token__", "TWINE_PASSWORD": token}
    if env.get("TWINE_USERNAME") and env.get("TWINE_PASSWORD"):
        return {"TWINE_USERNAME": env["TWINE_USERNAME"], "TWINE_PASSWORD": env["TWINE_PASSWORD"]}
    wanted = f"{index.token_env} or " if index.token_env else ""
    raise CredentialMissing(
        f"no credential for uploading to {index.name}",
        hint=f"set {wanted}TWINE_USERNAME and TWINE_PASSWORD in the environment (never in argv)",
    )


def _public(name: str) -> Index:
    from twine import repository, utils  # here: twine takes 0.4 s to import

    web, upload = {
        STAGING: (repository.TEST_WAREHOUSE, utils.TEST_REPOSITORY),
        RELEASE: (repository.WAREHOUSE_WEB, utils.DEFAULT_REPOSITORY),
    }[name]
    return Index(name, urljoin(web, "simple/"), upload, TOKEN_VARIABLES[name], False, True)


def _stand_in(local: LocalEndpoints | None, role: str) -> Index:
    if local is None:  # a programming error: the caller must start the stand-ins first
        raise RuntimeError("the local indexes are not running")
    return local.index(role)


def _custom(name: str, settings: Settings) -> Index:
    spec = settings.indexes[name]
    simple = spec.simple_url if spec.simple_url.endswith("/") else spec.simple_url + "/"
    return Index(name, simple, spec.upload_url, spec.token_env, False, spec.trusted_publishing,
                 attestations=spec.attestations)  # fmt: skip
