"""Package indexes: the profiles and their addresses (profiles: PyPI and TestPyPI from twine's
constants, the local stand-ins, custom ones), the simple API (simple_api), the local devpi
stand-ins (devpi) and hash-checked downloads (fetch)."""
