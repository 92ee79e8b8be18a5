"""Fix-forward (pure): the next version that no tag or index has consumed.

A version any index has seen is never reused: a failed rc is followed by the next rcN, a fix
after a final by the next .postN. Gaps are fine (after rc6 and rc8 comes rc9).
"""

from __future__ import annotations

from collections.abc import Iterable

from packaging.version import InvalidVersion, Version

from release.errors import ConsumedVersion, VersionRuleError
from release.versions import Kind, ReleaseVersion, loose_version, parse_version


def parse_base(text: str) -> Version:
    """--base must name a final X.Y.Z."""
    base = parse_version(text, where="--base")
    if base.kind is not Kind.FINAL:
        raise VersionRuleError(f"--base {text} is not X.Y.Z", hint=f"use --base {base.base}")
    return base.version


def parse_consumed(texts: Iterable[str]) -> frozenset[Version]:
    """Consumed versions in any PEP 440 spelling: a version once seen counts, whatever its form."""
    try:
        return frozenset(loose_version(t) for t in texts)
    except InvalidVersion as exc:
        raise VersionRuleError(f"{exc}", hint="pass --consumed X.Y.Z[rcN|.postN]") from None


def next_version(kind: Kind, base: Version, consumed: frozenset[Version]) -> ReleaseVersion:
    released = is_released(base, consumed)
    if kind is Kind.FINAL:
        final = parse_version(str(base))
        ensure_unconsumed(final, consumed)
        return final
    if kind is Kind.RC and released:
        raise ConsumedVersion(
            f"{base} is already released, so it takes no more release candidates",
            hint=f"ship a fix as {next_post(base, consumed)} or pass a later --base",
        )
    if kind is Kind.POST and not released:
        raise VersionRuleError(
            f"{base} has not been released, and a .postN only fixes a published final",
            hint=f"release {base} first; its next candidate is {next_rc(base, consumed)}",
        )
    return next_rc(base, consumed) if kind is Kind.RC else next_post(base, consumed)


def ensure_unconsumed(version: ReleaseVersion, consumed: frozenset[Version]) -> None:
    if version.version not in consumed:
        return
    nxt = successor(version, consumed)
    hint = f"use {nxt} (`staged-release bump {'post' if nxt.kind is Kind.POST else 'rc'}`)"
    raise ConsumedVersion(f"{version} is already consumed and is never reused", hint=hint)


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


def _highest(base: Version, consumed: frozenset[Version], kind: Kind) -> int:
    """The highest rc or post number consumed for `base` (0 when none)."""
    same_base = (v for v in consumed if v.epoch == 0 and Version(v.base_version) == base)
    numbers = (_number(v, kind) for v in same_base)
    return max((n for n in numbers if n is not None), default=0)


def _number(version: Version, kind: Kind) -> int | None:
    if kind is Kind.RC:
        return version.pre[1] if version.pre and version.pre[0] == "rc" else None
    return version.post if version.pre is None else None
