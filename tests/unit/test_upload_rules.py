"""Upload preflight: send what is absent, skip what is identical, refuse anything else."""

from __future__ import annotations

import pytest
from packaging.version import Version

from release.artifacts.manifest import DistFile, Manifest
from release.index.simple_api import ListedFile
from release.upload._rules import decide, missing, rc_precedes
from release.versioning.versions import parse_version

WHEEL = "proxbox_api-1.4.0rc1-py3-none-any.whl"
SDIST = "proxbox_api-1.4.0rc1.tar.gz"
WHEEL_SHA, SDIST_SHA, OTHER_SHA = "a" * 64, "b" * 64, "c" * 64
MANIFEST = Manifest(
    "proxbox-api", "1.4.0rc1", (DistFile(WHEEL, WHEEL_SHA, 10), DistFile(SDIST, SDIST_SHA, 20))
)


def listed(filename: str, sha256: str | None) -> ListedFile:
    return ListedFile(filename, f"https://files.example.invalid/{filename}", sha256)


ACCEPTED = [
    # (what the index lists, to send, already there)
    ([], (WHEEL, SDIST), ()),
    ([listed(WHEEL, WHEEL_SHA), listed(SDIST, SDIST_SHA)], (), (WHEEL, SDIST)),
    ([listed(WHEEL, WHEEL_SHA)], (SDIST,), (WHEEL,)),
    ([listed(SDIST, SDIST_SHA)], (WHEEL,), (SDIST,)),
    (
        [
            listed("proxbox_api-1.3.0-py3-none-any.whl", OTHER_SHA),
            listed("proxbox_api-1.4.0-py3-none-any.whl", OTHER_SHA),
            listed("proxbox_api-1.4.0rc2.tar.gz", None),
            listed("index.html", None),
        ],
        (WHEEL, SDIST),
        (),
    ),
]


@pytest.mark.parametrize(("listing", "to_send", "already"), ACCEPTED)
def test_accepted_uploads(
    listing: list[ListedFile], to_send: tuple[str, ...], already: tuple[str, ...]
) -> None:
    decision = decide(MANIFEST, listing)
    assert (decision.to_send, decision.already, decision.refused) == (to_send, already, False)
    assert decision.conflicts == ()


REFUSED = [
    # (what the index lists, the file the conflict must name)
    ([listed(WHEEL, OTHER_SHA)], WHEEL),
    ([listed(WHEEL, WHEEL_SHA), listed(SDIST, OTHER_SHA)], SDIST),
    ([listed(WHEEL, None)], WHEEL),
    ([listed("proxbox_api-1.4.0rc1-cp312-cp312-manylinux_2_17_x86_64.whl", OTHER_SHA)], "cp312"),
    # 1.4.0c1 is another spelling of 1.4.0rc1
    ([listed("proxbox_api-1.4.0c1.tar.gz", OTHER_SHA)], "proxbox_api-1.4.0c1.tar.gz"),
]


@pytest.mark.parametrize(("listing", "named"), REFUSED)
def test_refused_uploads(listing: list[ListedFile], named: str) -> None:
    decision = decide(MANIFEST, listing)
    assert decision.refused
    assert any(named in conflict for conflict in decision.conflicts)


def test_different_bytes_say_so() -> None:
    decision = decide(MANIFEST, [listed(WHEEL, OTHER_SHA), listed(SDIST, SDIST_SHA)])
    assert decision.conflicts == (f"{WHEEL} is present with different bytes",)


def test_a_stray_file_of_our_version_says_it_was_not_built_here() -> None:
    stray = "proxbox_api-1.4.0rc1-py2-none-any.whl"
    decision = decide(MANIFEST, [listed(stray, OTHER_SHA)])
    assert decision.conflicts == (f"{stray} is listed for 1.4.0rc1 but was not built here",)


MISSING = [
    ([], [WHEEL, SDIST]),
    ([listed(WHEEL, WHEEL_SHA)], [SDIST]),
    ([listed(WHEEL, WHEEL_SHA), listed(SDIST, None)], [SDIST]),
    ([listed(WHEEL, OTHER_SHA), listed(SDIST, SDIST_SHA)], [WHEEL]),
    ([listed(SDIST, SDIST_SHA), listed(WHEEL, WHEEL_SHA)], []),
]


@pytest.mark.parametrize(("listing", "expected"), MISSING)
def test_missing(listing: list[ListedFile], expected: list[str]) -> None:
    assert missing(MANIFEST, listing) == expected


PRECEDES = [
    # (version to publish, versions on the staging index, may it go)
    ("1.4.0", ("1.4.0rc1",), True),
    ("1.4.0", ("1.3.0", "1.4.0rc3", "1.5.0rc1"), True),
    ("1.4.0", (), False),
    ("1.4.0", ("1.3.0rc1", "1.4.1rc1", "1.5.0rc1"), False),
    ("1.4.0", ("1.4.0",), False),
    ("1.4.0", ("1.4.0a1", "1.4.0b2", "1.4.0.dev3"), False),
    ("1.4.0.post1", (), True),
    ("1.4.0rc1", (), True),
]


@pytest.mark.parametrize(("version", "staged", "allowed"), PRECEDES)
def test_rc_precedes(version: str, staged: tuple[str, ...], allowed: bool) -> None:
    on_staging = frozenset(Version(v) for v in staged)
    assert rc_precedes(parse_version(version), on_staging) is allowed
