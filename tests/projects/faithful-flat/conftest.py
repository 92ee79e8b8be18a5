# A conftest.py at the root: pytest puts the root first on sys.path for it, where a flat layout
# keeps the package's source.
import pytest


@pytest.fixture
def expected_banner() -> str:
    return "flat-service ready"
