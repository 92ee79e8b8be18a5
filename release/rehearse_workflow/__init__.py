"""The release workflow rehearsed: the project's own `.github/workflows/release.yml` run under a
real GitHub Actions engine (act) on this machine, its pinned actions served by local stand-ins,
its jobs reaching running stand-ins of TestPyPI, PyPI (with trusted publishing) and the image
registry through their environment, never through an edited copy of the workflow."""
