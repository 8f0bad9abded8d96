"""GET /api/health (liveness) and GET /api/ready (database and in-memory indexes loaded)."""

import time

from search.index import index_for
from tests.conftest import assert_problem


def wait_until_ready(client, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = client.get("/api/ready")
        if answer.status_code == 200:
            return answer
        time.sleep(0.05)
    raise AssertionError(f"not ready after {seconds} s: {answer.get_json()}")


def test_health_answers_while_another_process_holds_the_write_lock(app, client, db):
    db.execute("BEGIN EXCLUSIVE")
    try:
        answer = client.get("/api/health")
    finally:
        db.execute("ROLLBACK")
    assert answer.status_code == 200 and answer.get_json()["status"] == "ok"


def test_ready_is_503_until_the_indexes_are_loaded_then_200(app, client):
    index = index_for(app.config["DATABASE"])
    with index.lock:  # the loader cannot fill the text index while this is held
        first = client.get("/api/ready")
        assert_problem(first, 503)
        assert first.headers["Retry-After"] == "5"
        time.sleep(0.2)
        assert client.get("/api/ready").status_code == 503
    assert wait_until_ready(client).get_json() == {"status": "ready", "database": "ok", "indexes": "loaded"}
    assert index.generation is not None


def test_a_warm_start_loads_the_indexes_without_a_probe_starting_it(make_app, tmp_path):
    """SEARCH_WARM: the first search does not wait for the index (nor a probe start the load)."""
    app = make_app(SEARCH_WARM=True, DATA_DIR=str(tmp_path / "warm"))
    index = index_for(app.config["DATABASE"])
    deadline = time.monotonic() + 20
    while not index.loaded and time.monotonic() < deadline:
        time.sleep(0.02)
    assert index.loaded
    wait_until_ready(app.test_client())


def test_probes_are_never_rate_limited(make_app):
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute").test_client()
    assert [client.get("/api/health").status_code for _ in range(5)] == [200] * 5
    wait_until_ready(client)
    assert [client.get("/api/ready").status_code for _ in range(5)] == [200] * 5
    assert client.get("/api/artists").status_code == 200
    assert client.get("/api/artists").status_code == 200
    assert client.get("/api/artists").status_code == 429
