import subprocess
import sys
import sysconfig
from pathlib import Path

import flatsvc
from tests.helpers import BANNER


def test_the_banner_is_printed(capsys, expected_banner):
    assert flatsvc.banner() == BANNER == expected_banner
    assert capsys.readouterr().out == BANNER + "\n"


def test_the_package_comes_from_the_environment_not_the_mirror():
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert Path(flatsvc.__file__).resolve().is_relative_to(site), flatsvc.__file__


def test_a_process_the_tests_start_imports_the_same(tmp_path):
    """As with an editable install in the project's CI: the root is importable everywhere."""
    code = "import flatsvc, tests.helpers; print(flatsvc.__file__)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert Path(done.stdout.strip()).resolve().is_relative_to(site), done.stdout
