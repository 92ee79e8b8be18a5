"""`staged-release status`, its pure half: each drift rule on plain facts, the rows' lane state in
words, and the next versions on the proxbox-api-like tag histories the fix-forward tests use."""

from __future__ import annotations

import dataclasses

import pytest
from packaging.version import Version

from release.artifacts.manifest import DistFile, Manifest
from release.index.simple_api import ListedFile
from release.status.drift import RULES, find_drift
from release.status.facts import Facts, Image, Listing, Tag, is_release_tag
from release.status.render import as_dict, table
from release.status.rows import next_versions, rows
from release.validation.results import CellRecord
from release.versioning.consumed import consumed_from_tags
from tests.unit.test_fixforward_histories import POST_WITHOUT_FINAL, RCS_WITH_GAPS, SHIPPED

NAME = "proxbox_api"
VARIANTS = ("raw", "nginx", "granian")
REPO = "127.0.0.1:5000/proxbox-api"


def sha(text: str) -> str:
    return (text.encode().hex() * 64)[:64]


def files(*versions: str, yanked: bool = False) -> tuple[ListedFile, ...]:
    """A wheel and an sdist per version, each with a sha256 of its own."""
    names = [n for v in versions for n in (f"{NAME}-{v}-py3-none-any.whl", f"{NAME}-{v}.tar.gz")]
    return tuple(ListedFile(n, f"https://files.invalid/{n}", sha(n), yanked) for n in names)


def wheel(version: str) -> str:
    return sha(f"{NAME}-{version}-py3-none-any.whl")


def images(version: str, *, variants: tuple[str, ...] = VARIANTS, held: str = "") -> list[Image]:
    """Each variant's version tag, holding `version`'s wheel (or the wheel `held`)."""
    return [
        Image(f"{version}{'' if v == 'raw' else '-' + v}", version, v, f"sha256:{v}{version}",
              held or wheel(version), version, "c0ffee")
        for v in variants
    ]  # fmt: skip


def latest(version: str) -> list[Image]:
    """`latest*` holding the images of `version` (same digests as its version tags)."""
    return [
        dataclasses.replace(i, tag=i.tag.replace(version, "latest"), names="latest")
        for i in images(version)
    ]


def tags(*names: str) -> tuple[Tag, ...]:
    return tuple(Tag(n, Version(n.lstrip("v")), "a1b2c3d4e5f6" + "0" * 28) for n in names)


# A clean history: 1.4.0rc1 on TestPyPI, 1.4.0 on PyPI with its three images and latest.
CLEAN = Facts(
    "proxbox-api", tags("v1.4.0rc1", "v1.4.0"), Listing("TestPyPI", files("1.4.0rc1")),
    Listing("PyPI", files("1.4.0")), (*images("1.4.0"), *latest("1.4.0")), VARIANTS, REPO,
)  # fmt: skip


def found(facts: Facts) -> list[tuple[str, str]]:
    return [(d.rule, d.version) for d in find_drift(facts)]


def test_a_clean_history_has_no_drift() -> None:
    assert find_drift(CLEAN) == []


def test_a_tag_with_no_upload() -> None:
    facts = dataclasses.replace(CLEAN, tags=tags("v1.4.0rc1", "v1.4.0", "v1.4.1rc1"))
    [drift] = find_drift(facts)
    assert (drift.rule, drift.version) == ("tag-without-upload", "1.4.1rc1")
    assert "v1.4.1rc1 is tagged but no index lists 1.4.1rc1" in drift.line
    assert "`nox -s build upload_testpypi`" in drift.line
    assert "release 1.4.1rc2 instead" in drift.line  # the version stays consumed


def test_an_upload_with_no_tag_names_the_commit_its_image_was_built_from() -> None:
    facts = dataclasses.replace(CLEAN, tags=tags("v1.4.0rc1"))
    [drift] = find_drift(facts)
    assert (drift.rule, drift.version) == ("upload-without-tag", "1.4.0")
    assert "1.4.0 is on PyPI but no tag names it" in drift.line
    assert "`git tag v1.4.0 c0ffee`" in drift.line


def test_files_that_differ_from_the_manifest() -> None:
    whl = f"{NAME}-1.4.0-py3-none-any.whl"
    manifest = Manifest("proxbox-api", "1.4.0", (DistFile(whl, "f" * 64, 1),))
    facts = dataclasses.replace(CLEAN, manifest=manifest)
    [drift] = find_drift(facts)
    assert (drift.rule, drift.version) == ("manifest-differs", "1.4.0")
    assert f"says sha256 {'f' * 64}, PyPI serves {wheel('1.4.0')}" in drift.line
    assert "ship the change as 1.4.0.post1" in drift.line
    assert rows(facts)[0].files["PyPI"][0].matches_manifest is False


def test_an_rc_on_the_release_index() -> None:
    facts = dataclasses.replace(CLEAN, release=Listing("PyPI", files("1.4.0rc1", "1.4.0")))
    [drift] = find_drift(facts)
    assert (drift.rule, drift.version) == ("rc-on-release-index", "1.4.0rc1")
    assert "yank it on PyPI" in drift.line


def test_a_final_without_any_rc_but_not_a_post() -> None:
    facts = dataclasses.replace(
        CLEAN, tags=tags("v1.4.0rc1", "v1.4.0", "v1.5.0", "v1.5.0.post1"),
        release=Listing("PyPI", files("1.4.0", "1.5.0", "1.5.0.post1")),
        images=(*images("1.4.0"), *images("1.5.0"), *images("1.5.0.post1"), *latest("1.5.0.post1")),
    )  # fmt: skip
    [drift] = find_drift(facts)
    assert (drift.rule, drift.version) == ("final-without-rc", "1.5.0")
    assert "no rc of it is on TestPyPI" in drift.line
    assert "ship any fix as 1.5.0.post2" in drift.line


def test_a_version_tag_whose_image_holds_another_wheel() -> None:
    other = images("1.4.0", variants=("nginx",), held="0" * 64)
    held = [i for i in CLEAN.images or () if i.tag != "1.4.0-nginx"]
    facts = dataclasses.replace(CLEAN, images=(*held, *other))
    assert found(facts) == [("image-holds-another-wheel", "1.4.0")]
    [drift] = find_drift(facts)
    assert f"{REPO}:1.4.0-nginx holds wheel sha256 {'0' * 64}" in drift.line
    assert "publish 1.4.0.post1 with its images" in drift.line


def test_latest_left_on_an_older_final() -> None:
    facts = dataclasses.replace(
        CLEAN, tags=tags("v1.3.0rc1", "v1.3.0", "v1.4.0rc1", "v1.4.0"),
        staging=Listing("TestPyPI", files("1.3.0rc1", "1.4.0rc1")),
        release=Listing("PyPI", files("1.3.0", "1.4.0")),
        images=(*images("1.3.0"), *images("1.4.0"), *latest("1.3.0")),
    )  # fmt: skip
    assert found(facts) == [("latest-not-highest", "1.4.0")] * 3
    line = find_drift(facts)[1].line
    assert line.startswith(f"{REPO}:latest-nginx holds 1.3.0, but the highest release on PyPI")
    assert "run the images stage for 1.4.0" in line


def test_a_final_whose_images_lack_a_variant() -> None:
    held = [i for i in CLEAN.images or () if i.variant != "granian"]
    facts = dataclasses.replace(CLEAN, images=tuple(held))
    assert found(facts) == [("latest-not-highest", "1.4.0"), ("missing-variant", "1.4.0")]
    assert "1.4.0 is on PyPI but its images lack granian" in find_drift(facts)[1].line


def test_a_version_consumed_but_offered_by_nothing() -> None:
    staging = Listing("TestPyPI", (*files("1.4.0rc1"), *files("1.4.0rc2", yanked=True)))
    facts = dataclasses.replace(
        CLEAN, tags=tags("v1.4.0rc1", "v1.4.0rc2", "v1.4.0"), staging=staging
    )
    [drift] = find_drift(facts)
    assert (drift.rule, drift.version) == ("offered-by-nothing", "1.4.0rc2")


def test_sources_not_read_find_nothing() -> None:
    """--offline: no index was read, so no tag looks unuploaded, and no rule guesses."""
    offline = Facts("proxbox-api", tags("v1.4.0rc1", "v1.4.0", "v9.0.0"), None, None, None)
    assert [rule(offline) for rule in RULES] == [[] for _ in RULES]
    [row] = [r for r in rows(offline) if r.version == "9.0.0"]
    assert row.state == "final tagged, indexes not read"


def test_rows_are_newest_first_with_their_lane_state_in_words() -> None:
    cells = tuple(
        CellRecord(stage, python, "proxbox-api", version, "w.whl", wheel(version), True)
        for stage, version in (("validate_rc", "1.4.0rc1"), ("validate_final", "1.4.0"))
        for python in ("3.12", "3.13")
    )
    facts = dataclasses.replace(CLEAN, cells=cells, pythons=("3.12", "3.13"))
    assert [(r.version, r.kind, r.tag, r.state) for r in rows(facts)] == [
        ("1.4.0", "final", "v1.4.0", "final on PyPI, validated, images published"),
        ("1.4.0rc1", "rc", "v1.4.0rc1", "rc on TestPyPI, validated"),
    ]
    unvalidated = dataclasses.replace(facts, pythons=("3.11", "3.12", "3.13"))
    assert rows(unvalidated)[1].state == "rc on TestPyPI"  # 3.11 never passed


def test_the_table_and_the_json_say_the_same() -> None:
    facts = dataclasses.replace(CLEAN, tags=tags("v1.4.0rc1", "v1.4.0", "v1.4.1rc1"))
    drift, found_rows, nxt = find_drift(facts), rows(facts), next_versions(facts)
    text = table(facts, found_rows, drift, nxt)
    data = as_dict(facts, found_rows, drift, nxt)
    assert f"drift: {drift[0].line}" in text
    assert [d["line"] for d in data["drift"]] == [drift[0].line]
    assert [v["version"] for v in data["versions"]] == ["1.4.1rc1", "1.4.0", "1.4.0rc1"]
    assert f"    PyPI: {NAME}-1.4.0-py3-none-any.whl  sha256:{wheel('1.4.0')}" in text
    assert f"    image nginx :1.4.0-nginx  sha256:nginx1.4.0  wheel {wheel('1.4.0')}" in text
    assert [i["tag"] for i in data["versions"][1]["images"]] == [
        "1.4.0",
        "latest",
        "1.4.0-nginx",
        "latest-nginx",
        "1.4.0-granian",
        "latest-granian",
    ]  # latest beside the version it holds
    assert data["versions"][2]["images"] == []


NEXT = [
    # the proxbox-api-like histories of tests/unit/test_fixforward_histories.py
    (RCS_WITH_GAPS, None, {"rc": "1.4.0rc9", "final": "1.4.0", "post": "none: 1.4.0 has not"}),
    (SHIPPED, None, {"rc": "none: 1.4.0 is already released",
                     "final": "none: 1.4.0 is already consumed", "post": "1.4.0.post1"}),
    (POST_WITHOUT_FINAL, None, {"rc": "none: 1.4.0 is already released",
                                "final": "none: 1.4.0.post1 is consumed", "post": "1.4.0.post2"}),
    (RCS_WITH_GAPS, "1.3.0", {"rc": "none: 1.3.0 is already released, so it takes no more",
                              "final": "none: 1.3.0 is already consumed", "post": "1.3.0.post2"}),
    ((), "2.0.0", {"rc": "2.0.0rc1", "final": "2.0.0", "post": "none: 2.0.0 has not"}),
    ((), None, {}),  # a dynamic version and nothing consumed: no base to count from
]  # fmt: skip


@pytest.mark.parametrize(("history", "current", "expected"), NEXT)
def test_next_versions_from_everything_consumed(
    history: tuple[str, ...], current: str | None, expected: dict[str, str]
) -> None:
    seen = sorted(consumed_from_tags(history))
    facts = Facts(
        "proxbox-api", tuple(Tag(f"v{v}", v, "c") for v in seen), None, None, None,
        current=Version(current) if current else None,
    )  # fmt: skip
    got = next_versions(facts)
    assert list(got) == list(expected)
    for kind, text in expected.items():
        assert got[kind].startswith(text), (kind, got[kind])
    refused = {kind: v for kind, v in got.items() if v.startswith("none: ")}
    assert set(refused) == {kind for kind, text in expected.items() if text.startswith("none: ")}
    silent = [v for v in refused.values() if "; use " not in v and "; release " not in v]
    assert silent == []  # each refusal says what instead


@pytest.mark.parametrize(
    ("tag", "ours"),
    [("1.4.0", True), ("1.4.0.post1-nginx", True), ("latest-granian", True), ("latest", True),
     ("1.4", False), ("main", False), ("sha-1a2b3c", False), ("1.4.0a1", False)],
)  # fmt: skip
def test_only_the_tags_the_images_stage_gives_are_read(tag: str, ours: bool) -> None:
    assert is_release_tag(tag) is ours
