"""The stack cache's key: what a service's image is built from, its context and its base."""

from __future__ import annotations

from pathlib import Path

from release.e2e._docker import stack_key


def context(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_the_same_context_and_base_give_the_same_key(tmp_path: Path) -> None:
    files = {"Dockerfile": "FROM x\n", "conf/pg.conf": "a = 1\n"}
    one, two = context(tmp_path / "one", files), context(tmp_path / "two", files)
    assert stack_key(one, "sha256:base") == stack_key(two, "sha256:base")


def test_a_changed_file_name_or_base_changes_the_key(tmp_path: Path) -> None:
    key = stack_key(context(tmp_path / "a", {"Dockerfile": "FROM x\n"}), "sha256:base")
    assert stack_key(context(tmp_path / "b", {"Dockerfile": "FROM y\n"}), "sha256:base") != key
    assert stack_key(context(tmp_path / "c", {"Dockerfile2": "FROM x\n"}), "sha256:base") != key
    assert stack_key(tmp_path / "a", "sha256:other") != key
