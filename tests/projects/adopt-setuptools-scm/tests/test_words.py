from scm_tool import words


def test_words() -> None:
    assert words("one two  three") == 3
