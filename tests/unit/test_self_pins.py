"""`check`'s warning about a uv.lock resolved for a 0.0 or .dev version of the project."""

from __future__ import annotations

from packaging.version import Version

from release.versioning.self_pins import Dependent, stale_self_pins

RELEASE = Version("1.4.0")
PLUGIN = Dependent("proxbox-plugin", "0.3.0", "<1")
RELOCK = "`uv lock --refresh-package proxbox-api --upgrade-package proxbox-plugin`"


def test_a_dependent_asking_for_what_the_release_is_not_names_what_to_relock() -> None:
    warning = stale_self_pins("proxbox-api", None, [PLUGIN], RELEASE)
    assert warning == (
        "uv.lock pins proxbox-plugin 0.3.0 (which asks for proxbox-api<1), which does not fit "
        "proxbox-api 1.4.0 (it was resolved for a 0.0 or .dev version of proxbox-api); relock at "
        f"the tag with {RELOCK} and commit uv.lock"
    )


def test_a_recorded_dev_or_fallback_version_makes_every_dependent_suspect() -> None:
    unknown = Dependent("proxbox-plugin", "0.3.0")  # a registry package: no specifier recorded
    for locked in ("0.1.dev3+g1234abc", "0.0.0", "0.0"):
        warning = stale_self_pins("proxbox-api", locked, [unknown], RELEASE)
        assert warning is not None
        assert warning.startswith(f"uv.lock was resolved for proxbox-api {locked}, not 1.4.0")
        assert RELOCK in warning


def test_nothing_to_say_when_the_pins_fit_or_nothing_depends_on_the_project() -> None:
    fits = Dependent("proxbox-plugin", "2.0.0", ">=1.4")
    assert stale_self_pins("proxbox-api", None, [fits], RELEASE) is None
    assert stale_self_pins("proxbox-api", "0.1.dev3", [], RELEASE) is None
    assert stale_self_pins("proxbox-api", "1.4.0", [Dependent("p", "1")], RELEASE) is None
    assert stale_self_pins("proxbox-api", None, [Dependent("p", "1")], RELEASE) is None
