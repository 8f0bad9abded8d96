"""The live conversation stream under gunicorn with the worker model it needs: one worker with
threads, where an open stream holds one thread and the others keep answering."""

import http.client
import json
import time

import pytest

from tests.servers import BIN, Server

pytestmark = pytest.mark.e2e


def test_a_stream_tells_of_a_message_while_the_worker_answers_other_requests(tmp_path):
    # A short stream: gunicorn's graceful stop waits for it to end.
    env = {"WEB_CONCURRENCY": "1", "WEB_THREADS": "4", "CONVERSATION_STREAM_SECONDS": "5"}
    with Server([str(BIN / "gunicorn"), "app:app"], tmp_path / "data", env=env) as server:
        ada, bob = server.register("ada"), server.register("bob")
        status, _, me = server.call("GET", "/api/auth/user", cookie=bob)
        status, _, conversation = server.call("POST", "/api/conversations", {
            "participants": [me["user"]["id"]], "message": "first"}, cookie=ada)
        assert status == 201, conversation
        stream = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        stream.request("GET", "/api/conversations/stream", headers={"Cookie": bob})
        response = stream.getresponse()
        assert response.status == 200 and response.getheader("Content-Type").startswith("text/event-stream")
        assert response.readline() == b"retry: 3000\n"
        started = time.monotonic()
        # The one worker still answers while the stream holds a thread of it.
        status, _, _ = server.call("POST", f"/api/conversations/{conversation['id']}/messages", {"body": "second"},
                                   cookie=ada)
        assert status == 201
        data = None
        while time.monotonic() - started < 10:
            line = response.readline().decode()
            if line.startswith("data: ") and json.loads(line[6:])["unread_total"] == 2:
                data = json.loads(line[6:])
                break
        stream.close()
        assert data and data["latest"][0]["id"] == conversation["id"]
