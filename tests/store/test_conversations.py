"""The conversation tables' triggers and rules: unread counts, inbox order, blocks, mentor slots."""

import pytest

import store
from store import conversations, mentorships
from tests.conftest import insert


@pytest.fixture
def conn(tmp_path):
    connection = store.connect(tmp_path / "easel.sqlite3")
    store.migrate(connection)
    for person in ("ada", "bob", "cyd"):
        insert(connection, "artists", {"id": person, "username": person, "email": f"{person}@example.com",
                                       "password_hash": "x", "artist_name": person.title()})
    yield connection
    connection.close()


def unread(conn, conversation_id, account_id):
    return conversations.membership(conn, conversation_id, account_id)["unread_count"]


def test_the_trigger_counts_unread_for_everyone_but_the_author(conn):
    group, _ = conversations.start(conn, "ada", ["bob", "cyd"], "hello all")
    conversations.post(conn, group, "bob", body="hi")
    assert [unread(conn, group, who) for who in ("ada", "bob", "cyd")] == [1, 1, 2]
    assert conversations.get_conversation(conn, group)["message_count"] == 2
    conversations.mark_read(conn, group, "cyd")
    assert unread(conn, group, "cyd") == 0


def test_a_block_hides_the_blocker_s_messages_and_recounts_unread(conn):
    pair, _ = conversations.start(conn, "ada", ["bob"], "one")
    conversations.post(conn, pair, "ada", body="two")
    assert unread(conn, pair, "bob") == 2
    conversations.block(conn, "ada", "bob")
    assert unread(conn, pair, "bob") == 0
    assert conversations.messages_page(conn, pair, "bob")[0] == []
    conversations.post(conn, pair, "ada", body="three")  # the trigger leaves it out of bob's count
    assert unread(conn, pair, "bob") == 0
    assert [m["body"] for m in conversations.messages_page(conn, pair, "ada")[0]] == ["three", "two", "one"]
    conversations.unblock(conn, "ada", "bob")
    assert unread(conn, pair, "bob") == 3
    assert conversations.blockers_among(conn, "bob", ["ada", "cyd"]) == []


def test_strangers_are_those_without_follows_or_dealings(conn):
    assert conversations.is_stranger(conn, "ada", "bob")
    insert(conn, "artist_follows", {"follower_id": "ada", "following_id": "cyd"})
    insert(conn, "artist_follows", {"follower_id": "bob", "following_id": "cyd"})
    assert not conversations.is_stranger(conn, "ada", "bob")  # both follow cyd
    assert not conversations.is_stranger(conn, "ada", "cyd")  # a follow either way


def test_the_inbox_orders_by_activity_and_pages_by_keyset(conn):
    first, _ = conversations.start(conn, "ada", ["bob"], "first")
    second, _ = conversations.start(conn, "ada", ["cyd"], "second")
    assert [c["id"] for c in conversations.inbox(conn, "ada")[0]] == [second, first]
    for number in range(5):
        conversations.post(conn, first, "bob", body=f"reply {number}")
    assert [c["id"] for c in conversations.inbox(conn, "ada")[0]] == [first, second]
    newest, more = conversations.messages_page(conn, first, "ada", limit=2)
    older, _ = conversations.messages_page(conn, first, "ada", before=newest[-1]["id"], limit=2)
    assert [m["body"] for m in newest + older] == ["reply 4", "reply 3", "reply 2", "reply 1"] and more


def test_the_active_count_follows_status_moves(conn):
    mentorships.put_profile(conn, "ada", {"experience": "years", "capacity": 1, "specialties": [], "mediums": [],
                                          "languages": [], "accepting": 1})
    asked = mentorships.request(conn, "ada", "bob", "learn glazing", 6)
    mentorships.move(conn, mentorships.get(conn, asked), "active", "ada")
    assert mentorships.get_profile(conn, "ada")["open_slots"] == 0
    with pytest.raises(mentorships.Refused):
        mentorships.request(conn, "ada", "cyd", "learn glazing", 6)
    mentorships.move(conn, mentorships.get(conn, asked), "completed", "bob")
    assert mentorships.get_profile(conn, "ada")["open_slots"] == 1
