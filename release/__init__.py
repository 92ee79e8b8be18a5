"""staged-release: carry a Python package from a version tag to a verified release.

All logic lives in this package; the noxfile and the CI workflow only call it.
"""
