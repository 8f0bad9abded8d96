import pytest

import store


@pytest.fixture
def conn(tmp_path):
    """A connection to a freshly initialised database file."""
    path = tmp_path / "easel.sqlite3"
    store.initialise(path)
    connection = store.connect(path)
    yield connection
    connection.close()
