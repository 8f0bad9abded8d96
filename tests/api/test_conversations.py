"""Conversations: starting, reading in keyset pages, unread counts, polling by ETag, image
attachments, blocking, reporting, notifications, abuse limits, and the threads of commissions
and enquiries."""

import io
import threading
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import assert_problem, encoded, image_bytes, painting, upload_ok


@pytest.fixture
def trio(signed_in):
    (ada, ada_user), (bob, bob_user), (cy, cy_user) = signed_in(), signed_in(), signed_in()
    return {"ada": ada, "bob": bob, "cy": cy, "ada_id": ada_user["id"], "bob_id": bob_user["id"],
            "cy_id": cy_user["id"]}


def start(client, *others, message="Hello there", **fields):
    return client.post("/api/conversations", json={"participants": list(others), "message": message, **fields})


def started(client, *others, **fields):
    response = start(client, *others, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def say(client, conversation_id, text):
    response = client.post(f"/api/conversations/{conversation_id}/messages", json={"body": text})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def count(db, table):
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_conversation_starts_reads_and_counts_unread(trio):
    conversation = started(trio["ada"], trio["bob_id"], message="Saw your harbour series")
    assert {m["id"] for m in conversation["members"]} == {trio["ada_id"], trio["bob_id"]}
    assert [m["body"] for m in conversation["messages"]] == ["Saw your harbour series"]
    inbox = trio["bob"].get("/api/conversations").get_json()
    assert inbox["total"] == 1 and inbox["items"][0]["unread_count"] == 1
    assert inbox["items"][0]["last_message"]["body"] == "Saw your harbour series"
    assert trio["ada"].get("/api/conversations").get_json()["items"][0]["unread_count"] == 0

    say(trio["bob"], conversation["id"], "Thank you!")
    say(trio["bob"], conversation["id"], "More coming soon")
    assert trio["ada"].get("/api/conversations?unread=true").get_json()["items"][0]["unread_count"] == 2
    first_reply = trio["ada"].get(f"/api/conversations/{conversation['id']}").get_json()["messages"][1]
    read = trio["ada"].post(f"/api/conversations/{conversation['id']}/read", json={"up_to": first_reply["id"]})
    assert read.get_json()["unread_count"] == 1
    trio["ada"].post(f"/api/conversations/{conversation['id']}/read", json={})
    assert trio["ada"].get("/api/conversations?unread=true").get_json()["total"] == 0


def test_the_inbox_puts_the_newest_activity_first(trio):
    older = started(trio["ada"], trio["bob_id"])
    newer = started(trio["ada"], trio["cy_id"])
    assert [c["id"] for c in trio["ada"].get("/api/conversations").get_json()["items"]] == [newer["id"], older["id"]]
    say(trio["bob"], older["id"], "bump")
    assert [c["id"] for c in trio["ada"].get("/api/conversations").get_json()["items"]] == [older["id"], newer["id"]]


def test_messages_page_by_keyset_without_gaps_or_repeats(trio):
    conversation = started(trio["ada"], trio["bob_id"], message="message 0")
    for number in range(1, 120):
        say(trio["ada" if number % 2 else "bob"], conversation["id"], f"message {number}")
    seen, before = [], None
    while True:
        page = trio["bob"].get(f"/api/conversations/{conversation['id']}?limit=50"
                               + (f"&before={before}" if before else "")).get_json()
        seen += [m["body"] for m in page["messages"]]
        before = page["next_before"]
        if before is None:
            break
    assert seen == [f"message {n}" for n in range(119, -1, -1)]
    newest = trio["bob"].get(f"/api/conversations/{conversation['id']}?limit=1").get_json()
    say(trio["ada"], conversation["id"], "after the poll")
    polled = trio["bob"].get(f"/api/conversations/{conversation['id']}?after={newest['next_after']}").get_json()
    assert [m["body"] for m in polled["messages"]] == ["after the poll"]
    assert_problem(trio["bob"].get(f"/api/conversations/{conversation['id']}?limit=0"), 400)
    assert_problem(trio["bob"].get(f"/api/conversations/{conversation['id']}?cursor=1"), 400)


def test_polling_with_if_none_match_answers_304_until_something_changes(trio):
    conversation = started(trio["ada"], trio["bob_id"])
    for url in ("/api/conversations", f"/api/conversations/{conversation['id']}"):
        first = trio["bob"].get(url)
        tag = first.headers["ETag"]
        assert trio["bob"].get(url, headers={"If-None-Match": tag}).status_code == 304
    say(trio["ada"], conversation["id"], "news")
    for url in ("/api/conversations", f"/api/conversations/{conversation['id']}"):
        assert trio["bob"].get(url, headers={"If-None-Match": tag}).status_code == 200


def test_only_members_read_or_write_a_conversation(trio, client):
    conversation = started(trio["ada"], trio["bob_id"])
    base = f"/api/conversations/{conversation['id']}"
    message_id = conversation["messages"][0]["id"]
    for response in (trio["cy"].get(base), trio["cy"].post(f"{base}/messages", json={"body": "let me in"}),
                     trio["cy"].post(f"{base}/read", json={}),
                     trio["cy"].post(f"{base}/messages/{message_id}/report", json={"reason": "spam"}),
                     trio["cy"].get(f"{base}/messages/{message_id}/attachment"),
                     trio["bob"].get("/api/conversations/no-such-id")):
        assert_problem(response, 404)
    assert trio["cy"].get("/api/conversations").get_json()["total"] == 0
    assert_problem(client.get("/api/conversations"), 401)
    assert_problem(client.post("/api/conversations", json={"participants": [trio["bob_id"]], "message": "x"}), 401)


def test_bad_starts_are_refused_and_store_nothing(trio, db):
    before = count(db, "conversations")
    assert "participants" in assert_problem(start(trio["ada"], trio["ada_id"]), 400)["errors"]
    assert "participants" in assert_problem(start(trio["ada"], "no-such-account"), 400)["errors"]
    assert "message" in assert_problem(start(trio["ada"], trio["bob_id"], message=""), 400)["errors"]
    assert "colour" in assert_problem(start(trio["ada"], trio["bob_id"], colour="red"), 400)["errors"]
    assert "id" in assert_problem(trio["ada"].post("/api/conversations", json={
        "participants": [trio["bob_id"]], "message": "x", "id": "mine"}), 400)["errors"]
    assert_problem(start(trio["ada"], trio["bob_id"], subject={"kind": "artwork", "id": "nope"}), 404)
    assert count(db, "conversations") == before


def test_a_conversation_about_a_work_needs_a_work_the_starter_may_see(trio):
    private = upload_ok(trio["bob"], availability_status="private")
    public = upload_ok(trio["bob"])
    assert_problem(start(trio["ada"], trio["bob_id"], subject={"kind": "artwork", "id": private["id"]}), 404)
    about = started(trio["ada"], trio["bob_id"], subject={"kind": "artwork", "id": public["id"]})
    assert about["subject"] == {"kind": "artwork", "id": public["id"]}


def test_an_attachment_is_re_encoded_without_its_metadata(trio, db):
    conversation = started(trio["ada"], trio["bob_id"])
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    photo = encoded(painting(7, size=(3000, 2000)), exif=exif.tobytes())
    assert b"SecretCam" in photo
    response = trio["ada"].post(f"/api/conversations/{conversation['id']}/attachments",
                                data={"image_file": (io.BytesIO(photo), "me.jpg"), "body": "my studio"},
                                content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    sent = response.get_json()
    assert sent["body"] == "my studio" and sent["attachment"]["type"] == "image/jpeg"
    assert max(sent["attachment"]["width"], sent["attachment"]["height"]) == 2048
    served = trio["bob"].get(sent["attachment"]["url"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert b"SecretCam" not in served.data
    with Image.open(io.BytesIO(served.data)) as kept:
        assert kept.size == (2048, 1365) and not kept.getexif()
    assert trio["bob"].get(sent["attachment"]["url"], headers={"If-None-Match": served.headers["ETag"]}
                           ).status_code == 304
    assert_problem(trio["cy"].get(sent["attachment"]["url"]), 404)


def test_a_transparent_attachment_stays_png_and_a_broken_one_stores_nothing(trio, db):
    conversation = started(trio["ada"], trio["bob_id"])
    url = f"/api/conversations/{conversation['id']}/attachments"
    clear = image_bytes("PNG", size=(80, 60), colour=(10, 200, 10, 90), mode="RGBA")
    sent = trio["ada"].post(url, data={"image_file": (io.BytesIO(clear), "logo.png")},
                            content_type="multipart/form-data")
    assert sent.status_code == 201 and sent.get_json()["attachment"]["type"] == "image/png"
    messages = count(db, "messages")
    broken = image_bytes()[:200]
    assert_problem(trio["ada"].post(url, data={"image_file": (io.BytesIO(broken), "x.jpg")},
                                    content_type="multipart/form-data"), 422)
    assert_problem(trio["ada"].post(url, data={"image_file": (io.BytesIO(b"not an image"), "x.jpg")},
                                    content_type="multipart/form-data"), 415)
    assert_problem(trio["ada"].post(url, json={"body": "x"}), 415)
    assert "image_file" in assert_problem(trio["ada"].post(url, data={"body": "no file"},
                                                           content_type="multipart/form-data"), 400)["errors"]
    assert count(db, "messages") == messages


def test_a_block_stops_starts_and_messages_and_hides_the_blocker_s_words(trio, db):
    conversation = started(trio["ada"], trio["bob_id"], message="hi bob")
    say(trio["bob"], conversation["id"], "hi ada")
    assert trio["bob"].post(f"/api/blocks/{trio['ada_id']}").status_code == 201
    assert trio["bob"].post(f"/api/blocks/{trio['ada_id']}").status_code == 200  # blocked already
    before = (count(db, "conversations"), count(db, "messages"))
    assert_problem(start(trio["ada"], trio["bob_id"]), 403)
    assert_problem(trio["ada"].post(f"/api/conversations/{conversation['id']}/messages", json={"body": "why?"}), 403)
    assert (count(db, "conversations"), count(db, "messages")) == before
    say(trio["bob"], conversation["id"], "goodbye")
    seen_by_ada = trio["ada"].get(f"/api/conversations/{conversation['id']}").get_json()
    assert [m["body"] for m in seen_by_ada["messages"]] == ["hi bob"]
    assert seen_by_ada["unread_count"] == 0
    assert [p["id"] for p in trio["bob"].get("/api/blocks").get_json()["items"]] == [trio["ada_id"]]

    assert trio["bob"].delete(f"/api/blocks/{trio['ada_id']}").get_json() == {"deleted": True, "id": trio["ada_id"]}
    assert_problem(trio["bob"].delete(f"/api/blocks/{trio['ada_id']}"), 404)
    assert len(trio["ada"].get(f"/api/conversations/{conversation['id']}").get_json()["messages"]) == 3
    say(trio["ada"], conversation["id"], "friends again")
    assert_problem(trio["bob"].post(f"/api/blocks/{trio['bob_id']}"), 400)
    assert_problem(trio["bob"].post("/api/blocks/no-such-account"), 404)


def test_a_reported_message_waits_in_the_one_moderation_queue(trio, db, signed_in, app):
    media_dir = Path(app.config["MEDIA_DIR"])
    curator, curator_user = signed_in()
    db.execute("UPDATE artists SET role = 'curator' WHERE id = ?", (curator_user["id"],))
    conversation = started(trio["ada"], trio["bob_id"], message="buy followers cheap!!!")
    message = conversation["messages"][0]
    report_url = f"/api/conversations/{conversation['id']}/messages/{message['id']}/report"
    assert_problem(trio["ada"].post(report_url, json={"reason": "spam"}), 403)  # your own
    assert "reason" in assert_problem(trio["bob"].post(report_url, json={"reason": "boring"}), 400)["errors"]
    filed = trio["bob"].post(report_url, json={"reason": "spam", "note": "a bot"})
    assert filed.status_code == 201 and filed.get_json()["status"] == "open"
    assert trio["bob"].post(report_url, json={"reason": "spam"}).get_json()["id"] == filed.get_json()["id"]
    picture = trio["ada"].post(f"/api/conversations/{conversation['id']}/attachments",
                               data={"image_file": (io.BytesIO(encoded(painting(9))), "ad.jpg")},
                               content_type="multipart/form-data").get_json()
    trio["bob"].post(f"/api/conversations/{conversation['id']}/messages/{picture['id']}/report",
                     json={"reason": "spam"})
    kept = list((media_dir / "attachments").rglob("*.jpg"))
    assert len(kept) == 1

    assert_problem(trio["bob"].get("/api/moderation"), 403)
    queue = curator.get("/api/moderation?kind=message_report").get_json()
    assert queue["total"] == 2
    item = queue["items"][0]
    assert item["kind"] == "message_report" and item["report"]["subject"]["body"] == "buy followers cheap!!!"
    assert curator.get("/api/moderation/copyright").get_json()["total"] == 0
    assert_problem(curator.put(f"/api/moderation/{item['id']}", json={"decision": "uphold"}), 400)
    decided = curator.put(f"/api/moderation/{item['id']}", json={"decision": "remove", "note": "spam"})
    assert decided.get_json()["status"] == "removed"
    assert_problem(curator.put(f"/api/moderation/{item['id']}", json={"decision": "remove"}), 409)
    shown = trio["bob"].get(f"/api/conversations/{conversation['id']}").get_json()["messages"][-1]
    assert shown["removed"] is True and shown["body"] is None
    image_item = curator.get("/api/moderation").get_json()["items"][0]
    curator.put(f"/api/moderation/{image_item['id']}", json={"decision": "remove"})
    assert not kept[0].exists()  # the removed image leaves the disk too
    assert_problem(trio["bob"].get(picture["attachment"]["url"]), 404)
    assert curator.get("/api/moderation").get_json()["total"] == 0
    logged = db.execute("SELECT action FROM community_events WHERE subject_kind = 'report'").fetchall()
    assert [row[0] for row in logged] == ["removed", "removed"]


def test_notifications_tell_of_messages_without_their_text_unless_asked(trio):
    conversation = started(trio["ada"], trio["bob_id"], message="a private matter")
    say(trio["ada"], conversation["id"], "and another")
    notes = [n for n in trio["bob"].get("/api/notifications").get_json()["items"] if n["kind"] == "message"]
    assert len(notes) == 1 and notes[0]["data"]["count"] == 2
    assert "private matter" not in str(notes[0]) and "another" not in str(notes[0])
    trio["bob"].post(f"/api/conversations/{conversation['id']}/read", json={})
    assert all(n["read"] for n in trio["bob"].get("/api/notifications").get_json()["items"]
               if n["kind"] == "message")

    assert trio["ada"].put(f"/api/artists/{trio['ada_id']}", json={"portfolio": {"message_previews": True}}
                           ).status_code == 200
    say(trio["bob"], conversation["id"], "a preview you asked for")
    notes = [n for n in trio["ada"].get("/api/notifications").get_json()["items"] if n["kind"] == "message"]
    assert notes[0]["data"]["preview"] == "a preview you asked for"


def test_messages_are_never_in_search(trio):
    conversation = started(trio["ada"], trio["bob_id"], message="zanzibarquokka")
    say(trio["bob"], conversation["id"], "zanzibarquokka again")
    found = trio["ada"].get("/api/search?q=zanzibarquokka").get_json()
    assert found["total"] == 0


def test_commissions_and_enquiries_carry_their_conversation(trio, db):
    trio["bob"].put(f"/api/artists/{trio['bob_id']}", json={"portfolio": {"open_for_commissions": True}})
    commission = trio["ada"].post("/api/commissions", json={
        "artist_id": trio["bob_id"], "title": "A harbour", "description": "Oil, 40x50", "budget": 900,
        "deadline": "2031-01-01"}).get_json()
    thread = commission["conversation_id"]
    say(trio["bob"], thread, "Happy to take this on")
    inbox = trio["ada"].get("/api/conversations").get_json()["items"]
    assert inbox[0]["id"] == thread and inbox[0]["subject"] == {"kind": "commission", "id": commission["id"]}
    assert_problem(trio["cy"].get(f"/api/conversations/{thread}"), 404)
    again = start(trio["ada"], trio["bob_id"], subject={"kind": "commission", "id": commission["id"]})
    assert assert_problem(again, 409)["conversation_id"] == thread
    assert_problem(start(trio["cy"], trio["bob_id"], subject={"kind": "commission", "id": commission["id"]}), 404)

    work = upload_ok(trio["bob"])
    enquiry = trio["ada"].post(f"/api/artworks/{work['id']}/enquiries", json={"message": "Is it framed?"}).get_json()
    say(trio["bob"], enquiry["conversation_id"], "Yes, in oak")
    shown = trio["ada"].get(f"/api/enquiries/{enquiry['id']}").get_json()
    assert [m["body"] for m in shown["messages"]] == ["Is it framed?", "Yes, in oak"]
    assert shown["status"] == "answered" and shown["message_count"] == 2
    trio["ada"].put(f"/api/enquiries/{enquiry['id']}", json={"status": "closed"})
    assert_problem(trio["bob"].post(f"/api/conversations/{enquiry['conversation_id']}/messages",
                                    json={"body": "still there?"}), 409)


def test_new_conversations_and_messages_are_limited_per_account(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    clients = []
    for name in ("ann", "ben"):
        client = app.test_client()
        client.post("/api/auth/register", json={"username": name, "email": f"{name}@example.com",
                                                "password": "correct horse battery", "artist_name": name.title()})
        clients.append(client)
    ann, ben = clients
    ben_id = ben.get("/api/auth/user").get_json()["user"]["id"]
    # A follow makes them no strangers, so the hourly limit is what holds.
    assert ann.post(f"/api/follow/{ben_id}", json={}).status_code == 200
    conversation = started(ann, ben_id)
    for _ in range(60):
        say(ann, conversation["id"], "spam")
    too_many = ann.post(f"/api/conversations/{conversation['id']}/messages", json={"body": "one too many"})
    assert_problem(too_many, 429)
    say(ben, conversation["id"], "ben has a budget of his own")
    for _ in range(19):
        started(ann, ben_id)
    assert_problem(start(ann, ben_id), 429)


def test_starting_conversations_with_strangers_has_a_tighter_budget(make_app):
    from tests.conftest import register
    app = make_app(STRANGER_CONVERSATIONS_PER_DAY=2)
    starter = app.test_client()
    register(starter)
    strangers = [register(app.test_client()) for _ in range(3)]
    friend_client = app.test_client()
    friend = register(friend_client)
    for stranger in strangers[:2]:
        started(starter, stranger["id"])
    refused = start(starter, strangers[2]["id"])
    assert_problem(refused, 429)
    assert 0 < int(refused.headers["Retry-After"]) <= 86400
    assert starter.post(f"/api/follow/{friend['id']}", json={}).status_code == 200
    started(starter, friend["id"])  # a follow is a tie: not a stranger
    started(starter, strangers[0]["id"])  # nor is someone already in a conversation with you


def test_the_live_stream_is_off_unless_the_server_enables_it(trio):
    off = trio["ada"].get("/api/conversations/stream")
    assert "If-None-Match" in assert_problem(off, 404)["detail"]


def test_the_live_stream_tells_of_inbox_changes_and_resumes_by_last_event_id(make_app):
    from tests.conftest import register
    app = make_app(CONVERSATION_STREAM_SECONDS=3)
    ada, bob = app.test_client(), app.test_client()
    register(ada)
    bob_id = register(bob)["id"]
    conversation = started(ada, bob_id, message="first")
    stream = bob.get("/api/conversations/stream", buffered=False)
    assert stream.status_code == 200 and stream.mimetype == "text/event-stream"
    chunks = stream.response  # the generator: each next() runs the server side until its next event
    assert next(chunks).decode() == "retry: 3000\n\n"
    first = next(chunks).decode()
    event_id = first.split("\n")[0].removeprefix("id: ")
    assert "event: inbox" in first and '"unread_total": 1' in first
    # From another thread, as another worker would: here the paused stream's request context is
    # still pushed, and Flask would hand its app context (and so its signed-in user) to a request
    # made in this thread.
    writer = threading.Thread(target=say, args=(ada, conversation["id"], "second"))
    writer.start()
    writer.join()
    second = next(chunks).decode()
    assert '"unread_total": 2' in second and conversation["id"] in second
    assert list(chunks) == []  # closed after CONVERSATION_STREAM_SECONDS, nothing more having changed
    stream.close()
    # Reconnecting with an id already seen repeats nothing until something changes.
    resumed = bob.get("/api/conversations/stream", buffered=False,
                      headers={"Last-Event-ID": second.split("\n")[0].removeprefix("id: ")})
    events = [chunk.decode() for chunk in resumed.response]
    resumed.close()
    assert events == ["retry: 3000\n\n"] and event_id not in "".join(events)


def test_a_stranger_budget_of_zero_refuses_every_start_with_a_stranger(make_app):
    from tests.conftest import register
    app = make_app(STRANGER_CONVERSATIONS_PER_DAY=0)
    starter = app.test_client()
    register(starter)
    refused = start(starter, register(app.test_client())["id"])
    assert_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) > 0
