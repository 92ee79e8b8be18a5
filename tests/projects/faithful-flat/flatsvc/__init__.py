"""A service that prints its banner."""


def banner() -> str:
    text = "flat-service ready"
    print(text)
    return text
