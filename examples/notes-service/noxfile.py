#!/usr/bin/env -S uv run --script
# /// script
# requires-python = ">=3.11"
# dependencies = ["nox[uv]>=2025.10.16", "staged-release==0.1.0rc1"]
# ///
"""Sessions of this project. The release lane's come from staged-release: `nox -l` lists
them, none runs by default (`nox -s rehearse_rc` rehearses the rc lane locally)."""

import nox
import staged_release_sessions

nox.needs_version = ">=2025.10.16"
nox.options.default_venv_backend = "uv|virtualenv"
staged_release_sessions.register()  # the lane sessions of staged-release

if __name__ == "__main__":
    nox.main()
