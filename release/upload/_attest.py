"""PEP 740 attestations: each file signed into `<file>.publish.attestation`, uploaded with it.

An index checks an attestation against the trusted publisher that uploads it, so attestations
go only with a minted token; a token upload or a stand-in index skips them, saying why. The
files are signed next to COPIES of the dist in the run's state directory: an attestation left in
dist/ would travel with the artifact other jobs download, and a second publish would trip over
it. The signer is a seam: the real one uses sigstore with the CI's identity, tests inject one.
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


def skip_reason(index: Index, trusted: bool) -> str | None:
    """Why the upload carries no attestations, or None when it does."""
    if index.local:
        return "a local stand-in index takes no attestations"
    if index.stand_in:
        return STAND_IN
    if not trusted:
        return "uploading with a token: an index verifies attestations against a trusted publisher"
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
        from pypi_attestations import Attestation, AttestationError, Distribution
        from sigstore.models import ClientTrustConfig
        from sigstore.oidc import IdentityError, IdentityToken, detect_credential
        from sigstore.sign import SigningContext

        try:
            raw = detect_credential()
            if raw is None:
                raise SigningFailed("no CI identity token for sigstore", hint=_IDENTITY_HINT)
            config = ClientTrustConfig.production()
            # PyPI checks attestations against Rekor v1 entries; pypi-attestations pins it too.
            config.force_tlog_version = 1
            context = SigningContext.from_trust_config(config)
            with context.signer(IdentityToken(raw), cache=True) as signer:
                made = [Attestation.sign(signer, Distribution.from_file(d)) for d in dists]
        except (IdentityError, AttestationError) as exc:
            raise SigningFailed(f"signing the attestations failed: {exc}") from None
        return [attestation.model_dump_json() for attestation in made]


_IDENTITY_HINT = "grant the upload job `permissions: id-token: write`"
