"""Screening rules on hand-made rows; the copy check runs end to end in tests/api/test_exhibitions.py."""

from search import screening
from store import artworks
from tests.search.conftest import person, work


def row(conn, artwork_id):
    return artworks.get_artwork(conn, artwork_id)


def test_mediums_match_as_whole_words_in_any_case():
    assert screening._medium_matches("Oil on canvas", ["oil"])
    assert screening._medium_matches("ink and wash", ["Watercolour", "INK"])
    assert not screening._medium_matches("Boiled linen", ["oil"])
    assert not screening._medium_matches("Acrylic", ["oil", "ink"])


def test_each_rule_is_met_missed_or_unknown(conn, tmp_path):
    artist = person(conn, "painter")
    known = work(conn, artist, "Known", medium="Oil on board", category_id=12, image_width=800, image_height=1200,
                 quality_score=0.3)
    bare = work(conn, artist, "Bare")
    rules = {"allowed_mediums": ["oil"], "allowed_category_ids": [1], "min_long_edge_px": 1000,
             "min_quality_score": 0.5}
    report = screening.screen_submission(conn, str(tmp_path / "easel.sqlite3"), rules,
                                         [row(conn, known), row(conn, bare)], {})
    first, second = ({r["rule"]: r["met"] for r in entry["rules"]} for entry in report["artworks"])
    # Category 12 (Landscape) sits under 1 (Painting).
    assert first == {"allowed_mediums": True, "allowed_category_ids": True,
                     "min_long_edge_px": True, "min_quality_score": False, "original": None}
    assert second == dict.fromkeys(first, None)
    assert report["passed"] is False and not any(entry["passed"] for entry in report["artworks"])


def test_an_allowed_category_admits_its_descendants(conn, tmp_path):
    artist = person(conn, "painter")
    parent, child = (conn.execute("SELECT parent_id, id FROM categories WHERE parent_id IS NOT NULL LIMIT 1")
                     .fetchone())
    inside = work(conn, artist, "Inside", category_id=child)
    outside = work(conn, artist, "Outside", category_id=conn.execute(
        "SELECT id FROM categories WHERE id <> ? AND parent_id IS NOT ? AND kind = 'category' LIMIT 1",
        (parent, parent)).fetchone()[0])
    report = screening.screen_submission(conn, str(tmp_path / "easel.sqlite3"), {"allowed_category_ids": [parent]},
                                         [row(conn, inside), row(conn, outside)], {})
    met = [entry["rules"][0]["met"] for entry in report["artworks"]]
    assert met == [True, False]
