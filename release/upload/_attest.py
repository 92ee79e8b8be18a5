"""PEP 740 attestations: each file signed into `<file>.publish.attestation`, uploaded with it.

An index checks an attestation against the trusted publisher that uploads it, so attestations
go only with a minted token; a token upload or a stand-in index skips them, saying why, and an
index profile with `attestations = false` turns them off. A sigstore failure stops the upload
in one line (SigningFailed, exit 2) before anything is sent. The files are signed next to
COPIES of the dist in the run's state directory: an attestation left in dist/ would travel with
the artifact other jobs download, and a second publish would trip over it. The signer is a
seam: the real one uses sigstore with the CI's identity, tests inject one.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from release.core.errors import SigningFailed
from release.index.profiles import Index

SUFFIX = ".publish.attestation"
STAND_IN = "a stand-in index: signing needs sigstore's public services, which nothing here reaches"


class Signer(Protocol):
    def sign(self, dists: Sequence[Path]) -> list[str]:
        """One attestation (PEP 740 JSON) per dist, in order."""
        ...


OFF = "off (settings)"  # `attestations = false` in the index's profile


def skip_reason(index: Index, trusted: bool) -> str | None:
    """What the result says when the upload carries no attestations, or None when it does."""
    if not index.attestations:
        return OFF
    if index.local:
        return "skipped: a local stand-in index takes no attestations"
    if index.stand_in:
        return f"skipped: {STAND_IN}"
    if not trusted:
        return (
            "skipped: uploading with a token: an index verifies attestations against a trusted "
            "publisher"
        )
    return None


def attest(dists: Sequence[Path], into: Path, signer: Signer) -> list[Path]:
    """Copies of `dists` in `into` (emptied first: no stale attestation may ride along) and
    their attestations: the files to hand to `twine upload --attestations`."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    copies = [Path(shutil.copy2(dist, into / dist.name)) for dist in dists]
    signed = signer.sign(copies)
    if len(signed) != len(copies):  # a signer's bug must not upload a file unsigned
        said = f"{len(signed)} attestations for {len(copies)} files"
        raise SigningFailed(f"the signer returned {said}")
    for copy, attestation in zip(copies, signed, strict=True):
        copy.with_name(copy.name + SUFFIX).write_text(attestation, encoding="utf-8")
    return [*copies, *(c.with_name(c.name + SUFFIX) for c in copies)]


class SigstoreSigner:
    """Signs with sigstore's public good instance, as the CI's identity (audience `sigstore`)."""

    def sign(self, dists: Sequence[Path]) -> list[str]:
        from pypi_attestations import AttestationError
        from sigstore.errors import Error as SigstoreError
        from sigstore.oidc import ExpiredIdentity

        # Everything sigstore's clients raise: its own family (TUF's trust root unreachable,
        # the identity refused by Fulcio, Rekor down), an identity past its time, the HTTP
        # layer's errors it lets through (requests' are OSErrors). One line each, before
        # anything is uploaded.
        try:
            return _sign(dists)
        except SigningFailed:
            raise
        except (SigstoreError, ExpiredIdentity, AttestationError, OSError) as exc:
            raise SigningFailed(
                f"signing the attestations with sigstore failed: {_one_line(exc)}; nothing "
                "was uploaded",
                hint=_SIGSTORE_HINT,
            ) from None


def _sign(dists: Sequence[Path]) -> list[str]:
    from pypi_attestations import Attestation, Distribution
    from sigstore.models import ClientTrustConfig
    from sigstore.oidc import IdentityToken, detect_credential
    from sigstore.sign import SigningContext

    raw = detect_credential()
    if raw is None:
        raise SigningFailed("no CI identity token for sigstore", hint=_IDENTITY_HINT)
    config = ClientTrustConfig.production()
    # PyPI checks attestations against Rekor v1 entries; pypi-attestations pins it too.
    config.force_tlog_version = 1
    context = SigningContext.from_trust_config(config)
    with context.signer(IdentityToken(raw), cache=True) as signer:
        made = [Attestation.sign(signer, Distribution.from_file(d)) for d in dists]
    return [attestation.model_dump_json() for attestation in made]


def _one_line(exc: BaseException) -> str:
    # sigstore's errors keep their text in `.message` (str() of a TUFError is empty)
    said = " ".join((str(exc) or str(getattr(exc, "message", ""))).split())
    said = f"{type(exc).__name__}: {said}" if said else type(exc).__name__
    return said if len(said) <= 300 else said[:299] + "…"


_IDENTITY_HINT = "grant the upload job `permissions: id-token: write`"
_SIGSTORE_HINT = (
    "check that the job reaches sigstore's public services (tuf-repo-cdn.sigstore.dev, "
    "fulcio.sigstore.dev, rekor.sigstore.dev) and holds `permissions: id-token: write`, then "
    "re-run the upload; or, for an index that takes no attestations, set attestations = false "
    "in its [tool.staged-release.indexes] profile"
)
