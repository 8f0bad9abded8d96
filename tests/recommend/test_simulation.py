"""flask simulate, evaluate featured and evaluate feed on a small generated catalogue."""

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from recommend import simulate
from store import connect, new_id
from tests.conftest import insert

MEDIUMS, COLOURS, SUBJECTS = ("Oil", "Ink", "Clay", "Glass"), ("red", "blue", "green"), ("sea", "city", "dog", "tree")


def stamp(days_ago):
    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@pytest.fixture
def catalogue(app):
    """60 works by 12 artists, with mediums, dominant colours and subject tags, published 30 to 60 days ago."""
    conn = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    artists = [insert(conn, "artists", {"id": new_id(), "username": f"maker_{i}", "email": f"m{i}@example.com",
                                        "password_hash": "!", "artist_name": f"Maker {i}"}) for i in range(12)]
    for subject in SUBJECTS:
        conn.execute("INSERT INTO tags (name) VALUES (?)", (subject,))
    for i in range(60):
        work = insert(conn, "artworks", {"id": new_id(), "artist_id": artists[i % 12], "title": f"Piece {i}",
                                         "medium": MEDIUMS[i % 4], "created_at": stamp(60 - i / 2)})
        conn.execute("INSERT INTO artwork_colours (artwork_id, rank, hex, share, name) "
                     "VALUES (?, 1, '#aa0000', 0.5, ?)", (work, COLOURS[i % 3]))
        conn.execute("INSERT INTO artwork_tags (artwork_id, tag_id) SELECT ?, id FROM tags WHERE name = ?",
                     (work, SUBJECTS[(i // 4) % 4]))
    conn.close()
    return app


def test_simulated_readers_act_on_their_hidden_tastes(catalogue):
    conn = connect(catalogue.config["DATABASE"])
    try:
        result = simulate.simulate(conn, users=40, sessions=25, days=30, seed=5)
        works = simulate.load_catalogue(conn)
        appeal = np.random.default_rng(5).beta(2, 5, len(works.artwork_ids))
        index = {artwork_id: i for i, artwork_id in enumerate(works.artwork_ids)}
        liked_affinity, all_affinity = [], []
        for user_id, taste in result.tastes.items():
            affinity = simulate.affinity(works, taste, appeal)
            all_affinity.append(affinity.mean())
            liked = [index[row[0]] for row in conn.execute("SELECT artwork_id FROM artwork_likes WHERE user_id = ?",
                                                           (user_id,))]
            liked_affinity += affinity[liked].tolist()
        assert result.likes > 100 and result.views > result.likes
        assert np.mean(liked_affinity) > np.mean(all_affinity) + 0.1
        window_start = stamp(30)
        assert conn.execute("SELECT count(*) FROM artwork_likes l JOIN artworks a ON a.id = l.artwork_id "
                            "WHERE l.liked_at < ? OR l.liked_at < a.created_at", (window_start,)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM artists WHERE username LIKE 'sim_%' AND password_hash = '!'"
                            ).fetchone()[0] == 40
        assert conn.execute("SELECT count(*) FROM notifications").fetchone()[0] == 0
    finally:
        conn.close()


def test_the_commands_simulate_and_evaluate(catalogue, tmp_path):
    runner = catalogue.test_cli_runner()
    simulated = runner.invoke(args=["simulate", "--users", "60", "--sessions", "20", "--days", "30", "--seed", "2"])
    assert simulated.exit_code == 0, simulated.output
    assert "Simulated 60 readers" in simulated.output
    featured = runner.invoke(args=["evaluate", "featured"])
    assert featured.exit_code == 0, featured.output
    for metric in ("hit_rate@10", "ndcg@10", "coverage", "artist_gini", "novelty"):
        assert metric in featured.output
    assert "popularity" in featured.output and "live" in featured.output
    candidate = tmp_path / "candidate.json"
    candidate.write_text(json.dumps({"weights": {"recency": 1, "engagement": 0}}))
    compared = runner.invoke(args=["evaluate", "featured", "--config", str(candidate), "--users", "20"])
    assert compared.exit_code == 0, compared.output
    assert "candidate" in compared.output and compared.output.startswith("20 users")
    feed = runner.invoke(args=["evaluate", "feed"])
    assert feed.exit_code == 0, feed.output
    header = [line for line in feed.output.splitlines() if line.startswith("metric")][0]
    assert header.split() == ["metric", "popularity", "featured", "feed"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"weights": {"recency": -1}}))
    assert runner.invoke(args=["evaluate", "featured", "--config", str(bad)]).exit_code == 2


def test_spread_uploads_gives_an_imported_catalogue_a_past(catalogue):
    conn = connect(catalogue.config["DATABASE"])
    try:
        conn.execute("UPDATE artworks SET created_at = ?", (stamp(0),))
        assert simulate.simulate(conn, users=5, sessions=10, days=20, seed=1).views == 0
        result = simulate.simulate(conn, users=5, sessions=10, days=20, seed=1, spread_uploads=True)
        assert result.views > 0
        oldest, newest = conn.execute("SELECT min(created_at), max(created_at) FROM artworks").fetchone()
        assert stamp(20.01) <= oldest and newest <= stamp(9.99)
    finally:
        conn.close()
