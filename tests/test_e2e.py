"""End to end: a real server process on a free port, spoken to over HTTP."""

import json
import os
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.servers import BIN, COMMANDS, ROOT, Server, multipart

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("name", COMMANDS)
def test_register_sign_in_restart_and_sign_out_over_http(name, tmp_path):
    data_dir = tmp_path / "data"
    server = Server(COMMANDS[name], data_dir).start()
    try:
        status, headers, body = server.call("POST", "/api/auth/register", {
            "username": "hokusai", "email": "hokusai@example.com", "password": "the great wave",
            "artist_name": "Katsushika Hokusai"})
        assert status == 201, body
        set_cookie = headers["Set-Cookie"]
        assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
        cookie = set_cookie.split(";")[0]

        status, _, body = server.call("GET", "/api/auth/user", cookie=cookie)
        assert status == 200 and body["user"]["username"] == "hokusai"

        status, headers, body = server.call("GET", "/api/no-such-thing")
        assert status == 404 and headers["Content-Type"] == "application/problem+json"
    finally:
        server.stop()

    assert (data_dir / "easel.sqlite3").exists()
    assert oct((data_dir / "secret_key").stat().st_mode & 0o777) == "0o600"

    server = Server(COMMANDS[name], data_dir).start()  # a restart keeps the data and the session
    try:
        status, _, body = server.call("GET", "/api/auth/user", cookie=cookie)
        assert status == 200 and body["user"]["username"] == "hokusai"
        status, _, _ = server.call("POST", "/api/auth/logout", cookie=cookie)
        assert status == 200
        status, _, body = server.call("GET", "/api/auth/user", cookie=cookie)
        assert status == 401 and body["status"] == 401
    finally:
        server.stop()


def test_flask_cli_finds_the_app(tmp_path):
    result = subprocess.run([str(BIN / "flask"), "--app", "app", "init-db"], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ, "DATA_DIR": str(tmp_path / "data")}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "easel.sqlite3").exists()


def test_upload_serve_and_delete_an_image_over_http(tmp_path):
    from tests.conftest import image_bytes

    data_dir = tmp_path / "data"
    server = Server(COMMANDS["gunicorn app:app"], data_dir).start()
    base = f"http://127.0.0.1:{server.port}"
    try:
        status, headers, _ = server.call("POST", "/api/auth/register", {
            "username": "hiroshige", "email": "hiroshige@example.com", "password": "sudden shower",
            "artist_name": "Utagawa Hiroshige"})
        cookie = headers["Set-Cookie"].split(";")[0]
        body, content_type = multipart({"title": "Ohashi", "tags": "rain, bridge"},
                                       [("image_file", "ohashi.jpg", image_bytes(size=(1600, 1200)))])
        request = urllib.request.Request(f"{base}/api/artworks/upload", data=body, method="POST",
                                         headers={"Content-Type": content_type, "Cookie": cookie})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201
            artwork = json.loads(response.read())
        assert artwork["tags"] == ["bridge", "rain"] and artwork["image"]["width"] == 1600

        thumbnail = urllib.request.Request(base + artwork["thumbnail_urls"]["medium"], headers={"Accept": "image/webp"})
        with urllib.request.urlopen(thumbnail, timeout=10) as response:
            assert response.headers["Content-Type"] == "image/webp" and response.read()[8:12] == b"WEBP"
            etag = response.headers["ETag"]
        thumbnail.add_header("If-None-Match", etag)
        with pytest.raises(urllib.error.HTTPError) as not_modified:
            urllib.request.urlopen(thumbnail, timeout=10)
        assert not_modified.value.code == 304
        not_modified.value.close()

        follow_like_and_read_the_feed(server, artwork, cookie)
        search_follows_changes_in_every_worker(server, artwork, cookie)

        assert image_search(server, image_bytes(size=(1600, 1200))) == [artwork["id"]] * 6
        status, _, _ = server.call("DELETE", f"/api/artworks/{artwork['id']}", cookie=cookie)
        assert status == 200
        for _ in range(6):
            assert server.call("GET", "/api/search?q=atake")[2]["total"] == 0
        assert image_search(server, image_bytes(size=(1600, 1200))) == []
    finally:
        server.stop()
    assert [path for path in (data_dir / "media").rglob("*") if path.is_file()] == []


def follow_like_and_read_the_feed(server, artwork, artist_cookie):
    """A collector follows the artist and likes the work, over two gunicorn workers."""
    status, headers, _ = server.call("POST", "/api/auth/register", {
        "username": "collector", "email": "collector@example.com", "password": "prints of edo",
        "artist_name": "A Collector", "account_type": "collector"})
    assert status == 201
    cookie = headers["Set-Cookie"].split(";")[0]
    artist_id = artwork["artist"]["id"]
    status, _, body = server.call("POST", f"/api/follow/{artist_id}", cookie=cookie)
    assert (status, body["following"], body["follower_count"]) == (200, True, 1)
    for expected in (True, False, True):
        status, _, body = server.call("POST", f"/api/artworks/{artwork['id']}/like", cookie=cookie)
        assert (status, body["liked"], body["like_count"]) == (200, expected, int(expected))
    status, _, feed = server.call("GET", "/api/feed?mode=following", cookie=cookie)
    assert status == 200 and [item["id"] for item in feed["items"]] == [artwork["id"]]
    assert feed["items"][0]["liked_by_viewer"] is True
    status, _, ranked = server.call("GET", "/api/feed", cookie=cookie)   # the ranked feed leaves liked works out
    assert (status, ranked["mode"], ranked["items"]) == (200, "for_you", [])
    status, _, inbox = server.call("GET", "/api/notifications", cookie=artist_cookie)
    assert [n["kind"] for n in inbox["items"]] == ["like", "follow"] and inbox["unread_count"] == 2


def image_search(server, content, repeat=6):
    """The duplicates POST /api/search/image finds, over `repeat` requests (so both workers answer)."""
    found = []
    for _ in range(repeat):
        body, content_type = multipart({}, [("image_file", "query.jpg", content)])
        request = urllib.request.Request(f"http://127.0.0.1:{server.port}/api/search/image", data=body,
                                         method="POST", headers={"Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=30) as response:
            found += [entry["artwork"]["id"] for entry in json.loads(response.read())["duplicates"]]
    return found


def search_follows_changes_in_every_worker(server, artwork, cookie):
    """Each gunicorn worker keeps its own ranking index; a change made through one worker must be
    searchable through all of them at once (repeated requests reach both workers)."""
    for _ in range(6):
        status, _, body = server.call("GET", "/api/search?q=ohashi")
        assert status == 200 and [item["id"] for item in body["items"]] == [artwork["id"]]
    status, _, _ = server.call("PUT", f"/api/artworks/{artwork['id']}", {"title": "Sudden shower over Atake"},
                               cookie=cookie)
    assert status == 200
    for _ in range(6):
        assert server.call("GET", "/api/search?q=atake")[2]["total"] == 1
        assert server.call("GET", "/api/search?q=ohashi+")[2]["total"] == 0


def post_chunked(server, path, body, cookie):
    """(status, parsed body) for a POST sent with Transfer-Encoding: chunked (no Content-Length)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        pieces = (body[i:i + 65536] for i in range(0, len(body), 65536))
        conn.request("POST", path, body=pieces, encode_chunked=True,
                     headers={"Content-Type": "application/json", "Cookie": cookie})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_gunicorn_answers_oversized_bodies_and_query_strings_with_problem_documents(tmp_path):
    with Server(COMMANDS["gunicorn app:app"], tmp_path / "data", env={"MAX_UPLOAD_MB": "1"}) as server:
        cookie = server.register("chunky")
        status, body = post_chunked(server, "/api/galleries", json.dumps({"name": "x" * 3_000_000}).encode(), cookie)
        assert (status, body["status"]) == (413, 413) and "1,048,576-byte limit" in body["detail"]
        status, body = post_chunked(server, "/api/galleries", json.dumps({"name": "Prints"}).encode(), cookie)
        assert status == 201 and body["name"] == "Prints"
        # gunicorn.conf.py lets long request lines through, so Easel's own 414 document answers them.
        status, headers, body = server.call("GET", "/api/search?q=" + "a" * 70_000)
        assert (status, headers["Content-Type"], body["status"]) == (414, "application/problem+json", 414)


def test_a_copy_is_confirmed_disputed_and_upheld_over_http(tmp_path):
    """The takedown path across two gunicorn workers: whichever worker answers, a withheld copy
    is gone from search and from the artwork route, and a curator made by the CLI decides."""
    from bench.copy_transforms import jpeg
    from tests.conftest import encoded, painting

    data_dir = tmp_path / "data"
    with Server(COMMANDS["gunicorn app:app"], data_dir) as server:
        painter, copier, curator = (server.register(name) for name in ("hokusai", "copycat", "moderator"))
        granted = subprocess.run([str(BIN / "flask"), "--app", "app", "grant-role", "moderator", "curator"], cwd=ROOT,
                                 capture_output=True, text=True, env=server.env, timeout=60)
        assert granted.returncode == 0, granted.stderr
        original = server.upload(painter, encoded(painting(70)), title="The Great Wave")
        copy = server.upload(copier, encoded(jpeg(painting(70), None, 55)), title="Big wave remix")
        assert [match["artwork"]["id"] for match in copy["possible_copy_of"]] == [original["id"]]

        _, _, alerts = server.call("GET", "/api/copyright/alerts?status=open", cookie=painter)
        alert = alerts["items"][0]
        status, _, body = server.call("PUT", f"/api/copyright/alerts/{alert['id']}",
                                      {"status": "confirmed", "note": "My wave"}, cookie=painter)
        assert status == 200 and body["takedown"]["status"] == "withheld"
        for _ in range(4):                 # enough requests to meet both workers
            assert server.call("GET", f"/api/artworks/{copy['id']}")[0] == 404
            _, _, found = server.call("GET", "/api/search?q=wave")
            assert [item["id"] for item in found["items"]] == [original["id"]]

        dispute = f"/api/copyright/takedowns/{alert['id']}/dispute"
        statement = {"statement": "I painted this wave myself, at the beach."}
        assert server.call("POST", dispute, statement, cookie=painter)[0] == 404
        assert server.call("POST", dispute, statement, cookie=copier)[0] == 200
        assert server.call("POST", dispute, statement, cookie=copier)[0] == 409
        assert server.call("GET", "/api/moderation/copyright", cookie=copier)[0] == 403
        _, _, queue = server.call("GET", "/api/moderation/copyright", cookie=curator)
        assert [item["id"] for item in queue["items"]] == [alert["id"]]
        status, _, decided = server.call("PUT", f"/api/moderation/copyright/{alert['id']}",
                                         {"decision": "uphold", "note": "Same strokes"}, cookie=curator)
        assert status == 200 and decided["status"] == "removed"

        _, _, takedown = server.call("GET", f"/api/copyright/takedowns/{alert['id']}", cookie=painter)
        assert [event["action"] for event in takedown["events"]] == ["withheld", "disputed", "removed"]
        _, _, told = server.call("GET", "/api/notifications", cookie=copier)
        assert "removed" in [n["data"].get("event") for n in told["items"] if n["kind"] == "copy_alert"]
        assert server.call("GET", f"/api/artworks/{copy['id']}")[0] == 404
