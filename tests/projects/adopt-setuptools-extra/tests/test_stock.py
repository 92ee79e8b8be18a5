import pytest

from inventory_api import API_VERSION, restock


@pytest.mark.xdist_group("stock")
def test_restock_adds_to_what_is_there() -> None:
    assert restock({"bolt": 2}, "bolt", 3) == {"bolt": 5}


def test_a_negative_restock_is_refused() -> None:
    with pytest.raises(ValueError):
        restock({}, "nut", -1)


def test_the_api_version() -> None:
    assert API_VERSION.major == 1
