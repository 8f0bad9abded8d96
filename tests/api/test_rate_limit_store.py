"""The rate-limit store: shared through a real Redis, failing open when Redis dies, and the warning
that several workers with the in-memory store do not share their counts."""

import logging

import pytest

from api.config import rate_limit_store_warning
from tests.conftest import assert_problem, registration
from tests.servers import COMMANDS, Redis, Server


class Recorded(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def recorded():
    handler = Recorded()
    loggers = [logging.getLogger(name) for name in ("flask-limiter", "easel")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler.messages
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture
def redis(tmp_path):
    server = Redis(tmp_path / "redis").start()
    yield server
    server.stop()


def limited_app(make_app, tmp_path, uri, name="app"):
    return make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=uri, RATELIMIT_DEFAULT="3 per minute",
                    DATA_DIR=str(tmp_path / name))


def test_two_processes_share_their_counts_through_redis(make_app, tmp_path, redis):
    """Two apps stand for two worker processes: together they get 5 registrations, not 10, and
    3 default-limited requests, not 6."""
    workers = [make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=redis.url, RATELIMIT_DEFAULT="3 per minute",
                        DATA_DIR=str(tmp_path / "shared")).test_client() for _ in range(2)]
    statuses = [workers[n % 2].post("/api/auth/register", json=registration()).status_code for n in range(6)]
    assert statuses == [201] * 5 + [429]
    statuses = [workers[n % 2].get("/api/artists").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_redis_dying_fails_open_to_per_process_limits_with_a_loud_log(make_app, tmp_path, redis, recorded):
    client = limited_app(make_app, tmp_path, redis.url).test_client()
    assert client.get("/api/artists").status_code == 200
    redis.stop()
    statuses = [client.get("/api/artists").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # the default limit, now counted in this process
    assert any("storage unreachable" in message for message in recorded)
    assert_problem(client.get("/api/artists"), 429)


def test_a_dead_redis_at_start_is_logged_and_requests_still_succeed(make_app, tmp_path, recorded):
    from tests.servers import free_port

    client = limited_app(make_app, tmp_path, f"redis://127.0.0.1:{free_port()}/0").test_client()
    assert any("RATE-LIMIT STORE UNREACHABLE" in message for message in recorded)
    assert client.get("/api/artists").status_code == 200
    response = client.post("/api/auth/login", json={"username": "nobody", "password": "x"})
    assert_problem(response, 401)


@pytest.mark.parametrize(("workers", "environ", "warned"), [
    (3, {}, True),
    (1, {}, False),
    (3, {"RATELIMIT_STORAGE_URI": "redis://localhost:6379/0"}, False),
    (3, {"RATELIMIT_ENABLED": "false"}, False),
])
def test_the_unshared_store_warning(workers, environ, warned):
    assert (rate_limit_store_warning(workers, environ) is not None) is warned


@pytest.mark.e2e
def test_gunicorn_with_three_workers_and_the_memory_store_warns_at_start(tmp_path):
    command = [part for part in COMMANDS["gunicorn app:app"] if part not in ("--workers", "2")]
    with Server(command, tmp_path / "data", env={"WEB_CONCURRENCY": "3", "RATELIMIT_STORAGE_URI": "memory://"}):
        pass
    assert "RATE LIMITS ARE NOT SHARED: 3 workers" in Server.log_of(tmp_path / "data")
