"""The banner's words."""


def ready(name: str) -> str:
    """The banner's words for `name`; this module is the installed one.

    >>> ready("flat-service")
    'flat-service ready'
    >>> import pathlib, sysconfig
    >>> site = pathlib.Path(sysconfig.get_paths()["purelib"]).resolve()
    >>> pathlib.Path(__file__).resolve().is_relative_to(site)
    True
    """
    return f"{name} ready"
