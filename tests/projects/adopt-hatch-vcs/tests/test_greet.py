from tagged_lib import greet


def test_greet() -> None:
    assert greet("release") == "hello, release"
