"""Reading a simple API page (PEP 691 JSON or HTML) into files, URLs, hashes and versions."""

from __future__ import annotations

import pytest
from packaging.version import Version

from release.artifacts.filenames import version_of
from release.index.simple_api import ListedFile, parse_html, parse_json, versions

PAGE = "https://index.example.invalid/simple/proxbox-api/"
SHA = "0123456789abcdef" * 4


# What both page forms below list: relative links resolved, sha256 kept, other hashes dropped.
LISTED = [
    ListedFile(
        "proxbox_api-1.4.0-py3-none-any.whl",
        "https://index.example.invalid/packages/ab/proxbox_api-1.4.0-py3-none-any.whl",
        SHA,
    ),
    ListedFile(
        "proxbox_api-1.4.0.tar.gz", "https://files.example.invalid/proxbox_api-1.4.0.tar.gz", None
    ),
    ListedFile(
        "proxbox_api-1.3.0.tar.gz",
        "https://index.example.invalid/simple/proxbox-api/proxbox_api-1.3.0.tar.gz",
        None,
    ),
]


def test_parse_json_resolves_urls_and_reads_sha256() -> None:
    page = {
        "meta": {"api-version": "1.1"},
        "name": "proxbox-api",
        "files": [
            {
                "filename": "proxbox_api-1.4.0-py3-none-any.whl",
                "url": "../../packages/ab/proxbox_api-1.4.0-py3-none-any.whl",
                "hashes": {"sha256": SHA, "md5": "f" * 32},
            },
            {
                "filename": "proxbox_api-1.4.0.tar.gz",
                "url": "https://files.example.invalid/proxbox_api-1.4.0.tar.gz",
                "hashes": {"md5": "e" * 32},
            },
            {"filename": "proxbox_api-1.3.0.tar.gz", "url": "proxbox_api-1.3.0.tar.gz"},
        ],
    }
    assert parse_json(page, PAGE) == LISTED


def test_parse_json_of_a_project_without_files() -> None:
    assert parse_json({"meta": {"api-version": "1.0"}, "name": "proxbox-api"}, PAGE) == []


HTML = f"""<!DOCTYPE html>
<html><head><title>Links for proxbox-api</title></head><body>
<h1>Links for proxbox-api</h1>
<a href="../../packages/ab/proxbox_api-1.4.0-py3-none-any.whl#sha256={SHA}"
   data-requires-python="&gt;=3.11">proxbox_api-1.4.0-py3-none-any.whl</a><br/>
<a href="https://files.example.invalid/proxbox_api-1.4.0.tar.gz#md5={"e" * 32}">
  proxbox_api-1.4.0.tar.gz
</a><br/>
<a href="proxbox_api-1.3.0.tar.gz">proxbox_api-1.3.0.tar.gz</a>
</body></html>
"""


def test_parse_html_reads_anchors_fragments_and_relative_links() -> None:
    assert parse_html(HTML, PAGE) == LISTED


def test_parse_html_of_an_empty_page() -> None:
    assert parse_html("<html><body><h1>Links</h1></body></html>", PAGE) == []


VERSION_OF = [
    ("proxbox_api-1.4.0-py3-none-any.whl", "1.4.0"),
    ("proxbox_api-1.4.0rc2-cp312-cp312-manylinux_2_17_x86_64.whl", "1.4.0rc2"),
    ("proxbox_api-1.4.0.post1.tar.gz", "1.4.0.post1"),
    ("proxbox-api-1.4.0rc1.zip", "1.4.0rc1"),
    ("proxbox_api-1.4.0.RC1.tar.gz", "1.4.0rc1"),
    ("proxbox_api-latest.tar.gz", None),
    ("proxbox_api-notaversion-py3-none-any.whl", None),
    ("proxbox_api.tar.gz", None),
    ("proxbox_api-1.4.0.tar.bz2", None),
    ("README.txt", None),
    ("", None),
]


@pytest.mark.parametrize(("filename", "expected"), VERSION_OF)
def test_version_of(filename: str, expected: str | None) -> None:
    found = version_of(filename)
    assert found == (None if expected is None else Version(expected))


def test_versions_of_a_listing_skip_what_is_not_a_distribution() -> None:
    names = [
        "proxbox_api-1.4.0rc1-py3-none-any.whl",
        "proxbox_api-1.4.0rc1.tar.gz",
        "proxbox_api-1.4.0-py3-none-any.whl",
        "proxbox_api-1.4.0.post1.tar.gz",
        "proxbox_api-1.4.0.tar.gz.asc",
    ]
    listing = [ListedFile(n, f"https://files.example.invalid/{n}", None) for n in names]
    assert versions(listing) == {Version("1.4.0rc1"), Version("1.4.0"), Version("1.4.0.post1")}
    assert versions([]) == frozenset()


def test_yanked_files_are_marked_in_both_forms() -> None:
    """PEP 592: a yanked file is still listed (its version stays consumed), marked as such."""
    page = {"files": [
        {"filename": "p-1.0.0.tar.gz", "url": "p-1.0.0.tar.gz", "yanked": "broken"},
        {"filename": "p-1.0.1.tar.gz", "url": "p-1.0.1.tar.gz", "yanked": False},
        {"filename": "p-1.0.2.tar.gz", "url": "p-1.0.2.tar.gz", "yanked": True},
    ]}  # fmt: skip
    assert [f.yanked for f in parse_json(page, PAGE)] == [True, False, True]
    html = (
        '<a href="p-1.0.0.tar.gz" data-yanked="">p-1.0.0.tar.gz</a><a href="x">p-1.0.1.tar.gz</a>'
    )
    assert [f.yanked for f in parse_html(html, PAGE)] == [True, False]


def test_a_files_pep740_provenance_is_read_from_json_and_html() -> None:
    base = "https://index.example/simple/pkg/"
    file = {"filename": "pkg-1.0.tar.gz", "url": "../../f/pkg-1.0.tar.gz", "hashes": {}}
    page = {"files": [{**file, "provenance": "../../f/pkg-1.0.tar.gz.provenance"}]}
    (listed,) = parse_json(page, base)
    assert listed.provenance == "https://index.example/f/pkg-1.0.tar.gz.provenance"
    html = '<a href="/f/pkg-1.0.tar.gz" data-provenance="/f/p.provenance">pkg-1.0.tar.gz</a>'
    (anchor,) = parse_html(html, base)
    assert anchor.provenance == "https://index.example/f/p.provenance"
    (plain,) = parse_html('<a href="/f/pkg-1.0.tar.gz">pkg-1.0.tar.gz</a>', base)
    assert plain.provenance is None
