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
