import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def tunetop_bin():
    """The tunetop binary that must read the runs the package writes ($TUNETOP_BIN, default .build/debug/tunetop)."""
    binary = os.environ.get("TUNETOP_BIN", os.path.join(REPOSITORY, ".build", "debug", "tunetop"))
    if not os.access(binary, os.X_OK):
        pytest.fail("no tunetop binary at %s: run `swift build` or set TUNETOP_BIN" % binary)
    return binary


@pytest.fixture
def runs(tmp_path):
    return str(tmp_path / "runs")
