"""Schemathesis over the whole OpenAPI document against a real gunicorn server, bounded so that it
fits in `make test` (FUZZ_EXAMPLES, 25 by default; `make fuzz` runs 100). Zero failures is the bar:
a failure is fixed in the code, or in the schema where the schema was wrong."""

import os
import shutil

import pytest

from tests import fuzz_api
from tests.servers import BIN

pytestmark = [pytest.mark.e2e, pytest.mark.fuzz]


def test_schemathesis_finds_no_failure(tmp_path):
    if shutil.which("schemathesis", path=str(BIN)) is None:
        pytest.skip("schemathesis is not installed (requirements-dev.txt)")
    code, output, server = fuzz_api.run(tmp_path, examples=int(os.environ.get("FUZZ_EXAMPLES", "25")))
    assert code == 0, output[-20000:] + "\n--- server log ---\n" + server.log()[-5000:]
