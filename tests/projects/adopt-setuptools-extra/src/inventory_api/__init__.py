"""An inventory: items and how many of each are in stock."""

from packaging.version import Version

API_VERSION = Version("1.0")


def restock(stock: dict[str, int], item: str, count: int) -> dict[str, int]:
    if count < 0:
        raise ValueError("a restock adds items")
    return {**stock, item: stock.get(item, 0) + count}
