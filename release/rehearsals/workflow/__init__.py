"""The release workflow rehearsed: the project's own `.github/workflows/release.yml` run under a
real GitHub Actions engine (act) on this machine, its pinned actions served by local stand-ins,
its jobs reaching running stand-ins of TestPyPI, PyPI (with trusted publishing) and the image
registry through their environment, never through an edited copy of the workflow.

- `run`: the rehearsal (events one after another), `scratch`: the repository playing GitHub's,
  `events`: the payloads, `_act`: act itself, `jobs`: what act said of each job (pure),
  `stand_ins`: the services and the jobs' environment, `audit` and `report`: what it found.
- `actions/`: the stand-ins of the pinned actions (checkout, setup-python, setup-uv, upload- and
  download-artifact), each an action.yml running one step of this package.
- `trusted/`: PyPI's side and GitHub's side of trusted publishing, before the devpi stand-in.
"""
