"""Fix-forward (pure): the next version that no tag or index has consumed.

A version any index has seen is never reused: a failed rc is followed by the next rcN, a fix
after a final by the next .postN. Gaps are fine (after rc6 and rc8 comes rc9).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from release.core.errors import ConsumedVersion, VersionRuleError
from release.versioning.versions import (
    Kind,
    ReleaseVersion,
    loose_version,
    parse_version,
    quote,
    shorten,
)


def parse_base(text: str) -> Version:
    """--base must name a final X.Y.Z."""
    base = parse_version(text, where="--base")
    if base.kind is not Kind.FINAL:
        raise VersionRuleError(
            f"--base {shorten(text)} is not X.Y.Z", hint=f"use --base {shorten(str(base.base))}"
        )
    return base.version


def parse_consumed(texts: Iterable[str]) -> frozenset[Version]:
    """Consumed versions in any PEP 440 spelling: a version once seen counts, whatever its form."""
    found = set()
    for text in texts:
        try:
            found.add(loose_version(text))
        except InvalidVersion as exc:  # its message says what is wrong with the input
            hint = "pass --consumed X.Y.Z[rcN|.postN]"
            raise VersionRuleError(f"--consumed {quote(text)} {exc}", hint=hint) from None
    return frozenset(found)


def next_version(kind: Kind, base: Version, consumed: frozenset[Version]) -> ReleaseVersion:
    if kind is Kind.POST and not is_released(base, consumed):
        raise VersionRuleError(
            f"{base} has not been released, and a .postN only fixes a published final",
            hint=f"release {base} first; its next candidate is {next_rc(base, consumed)}",
        )
    candidate = _candidate(kind, base, consumed)
    ensure_unconsumed(candidate, consumed)  # the rule every command shares, e.g. no rc after X.Y.Z
    return candidate


@dataclass(frozen=True)
class Refusal:
    """Why a version may not be released, and the next free version to ship instead."""

    reason: str
    instead: ReleaseVersion


def refusal(version: ReleaseVersion, consumed: frozenset[Version]) -> Refusal | None:
    """The one fix-forward rule every command applies: None when `version` may be released
    after `consumed`, else why not. A .postN without its final is not refused here: a shallow
    clone has no tags, and the final's absence proves nothing."""
    if version.version in consumed:
        reason = f"{version} is already consumed, and a version is never reused"
    elif version.kind is Kind.POST or not is_released(version.base, consumed):
        return None
    elif version.kind is Kind.FINAL:
        post = _highest(version.base, consumed, Kind.POST)
        reason = f"{version}.post{post} is consumed, so {version} was released and is never reused"
    else:
        reason = f"{version.base} is already released, so it takes no more release candidates"
    return Refusal(reason, successor(version, consumed))


def ensure_unconsumed(version: ReleaseVersion, consumed: frozenset[Version]) -> None:
    """Raise the rule's refusal, naming the bump that gets the next free version."""
    refused = refusal(version, consumed)
    if refused is not None:
        nxt = refused.instead
        hint = f"use {nxt} (`staged-release bump {nxt.kind}`)"
        raise ConsumedVersion(refused.reason, hint=hint)


def ensure_publishable(version: ReleaseVersion, consumed: frozenset[Version]) -> None:
    """The rule for a tagged version on its way out (plan, upload): its own tag or files are
    expected, so only the other versions count (an index's files are judged one by one)."""
    refused = refusal(version, consumed - {version.version})
    if refused is not None:
        hint = retag_hint(refused.instead)
        raise ConsumedVersion(f"{version.tag} may not be released: {refused.reason}", hint=hint)


def retag_hint(version: ReleaseVersion) -> str:
    """What to do when a tagged version is refused: tag the next free one."""
    kind = version.kind.value
    bump = f"`nox -s bump -- {kind}` (staged-release bump {kind})"
    return f"tag {version.tag} instead; {bump} does it"


def successor(version: ReleaseVersion, consumed: frozenset[Version]) -> ReleaseVersion:
    """The next free version after a consumed one: the next .postN once the final is out,
    else the next rcN."""
    if is_released(version.base, consumed):
        return next_post(version.base, consumed)
    return next_rc(version.base, consumed)


def is_released(base: Version, consumed: frozenset[Version]) -> bool:
    """The final is out when it, or any .postN of it, was consumed (its tag may be missing)."""
    return base in consumed or _highest(base, consumed, Kind.POST) > 0


def next_rc(base: Version, consumed: frozenset[Version]) -> ReleaseVersion:
    return parse_version(f"{base}rc{1 + _highest(base, consumed, Kind.RC)}")


def next_post(base: Version, consumed: frozenset[Version]) -> ReleaseVersion:
    return parse_version(f"{base}.post{1 + _highest(base, consumed, Kind.POST)}")


def _candidate(kind: Kind, base: Version, consumed: frozenset[Version]) -> ReleaseVersion:
    """The version of `kind` that comes next, before the rule has had its say."""
    if kind is Kind.RC:
        return next_rc(base, consumed)
    if kind is Kind.POST:
        return next_post(base, consumed)
    return parse_version(str(base))


def _highest(base: Version, consumed: frozenset[Version], kind: Kind) -> int:
    """The highest rc or post number consumed for `base` (0 when none)."""
    same_base = (v for v in consumed if v.epoch == 0 and Version(v.base_version) == base)
    numbers = (_number(v, kind) for v in same_base)
    return max((n for n in numbers if n is not None), default=0)


def _number(version: Version, kind: Kind) -> int | None:
    if kind is Kind.RC:
        return version.pre[1] if version.pre and version.pre[0] == "rc" else None
    return version.post if version.pre is None else None
