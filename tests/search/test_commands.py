"""flask import-catalog, reindex and evaluate search, on real files."""

import csv
import sqlite3

import pytest

import store
from search import evaluate

CATALOGUE = [
    {"id": "1", "title": "Zebra and Parachute", "artist": "Christopher Wood", "medium": "Oil paint on canvas",
     "classification": "painting", "year": "1930", "date_text": "1930", "dimensions": "support: 457 x 559 mm",
     "width_mm": "559", "height_mm": "457", "subjects": "zebra; parachute; sunlight"},
    {"id": "2", "title": "The Woolshop", "artist": "Sir Stanley Spencer", "medium": "Oil paint on canvas",
     "classification": "painting", "year": "1939", "date_text": "1939", "dimensions": "", "width_mm": "610",
     "height_mm": "916", "subjects": "shop; wool; woman"},
    {"id": "3", "title": "Sunlight on the river", "artist": "Christopher Wood", "medium": "Graphite on paper",
     "classification": "on paper, unique", "year": "c.1928", "date_text": "c.1928", "dimensions": "",
     "width_mm": "", "height_mm": "", "subjects": ""},
    {"id": "4", "title": "", "artist": "Nobody", "medium": "", "classification": "", "year": "", "date_text": "",
     "dimensions": "", "width_mm": "", "height_mm": "", "subjects": ""},
]


@pytest.fixture
def catalogue_csv(tmp_path):
    path = tmp_path / "catalogue.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CATALOGUE[0]))
        writer.writeheader()
        writer.writerows(CATALOGUE)
    return path


def rows(app, sql, *params):
    conn = sqlite3.connect(app.config["DATABASE"])
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_import_catalog_makes_artists_and_artworks_with_images(app, catalogue_csv):
    result = app.test_cli_runner().invoke(args=["import-catalog", str(catalogue_csv), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "Imported 3 artworks" in result.output  # the record without a title is skipped
    works = rows(app, "SELECT a.title, a.medium, a.creation_date, a.category_id, a.image_width, a.image_height, "
                      "ar.artist_name FROM artworks a JOIN artists ar ON ar.id = a.artist_id ORDER BY a.title")
    assert [(w["title"], w["artist_name"]) for w in works] == [
        ("Sunlight on the river", "Christopher Wood"), ("The Woolshop", "Sir Stanley Spencer"),
        ("Zebra and Parachute", "Christopher Wood")]
    zebra = works[2]
    assert zebra["creation_date"] == "1930" and zebra["category_id"] == 1
    assert zebra["image_width"] > zebra["image_height"]  # the placeholder has the work's proportions
    assert works[0]["creation_date"] is None  # "c.1928" is not a date
    tags = {row[0] for row in rows(app, "SELECT t.name FROM tags t JOIN artwork_tags at ON at.tag_id = t.id "
                                        "WHERE at.source = 'artist'")}
    assert tags == {"zebra", "parachute", "sunlight", "shop", "wool", "woman"}
    assert app.test_client().get("/api/search?q=parachute").get_json()["total"] == 1
    again = app.test_cli_runner().invoke(args=["import-catalog", str(catalogue_csv), "--limit", "1",
                                               "--workers", "1"])
    assert again.exit_code == 0
    assert len(rows(app, "SELECT id FROM artists")) == 2  # accounts are reused


def test_import_without_subject_tags_and_a_bad_file(app, catalogue_csv, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["import-catalog", str(catalogue_csv), "--no-subject-tags", "--workers", "2"]
                         ).exit_code == 0
    assert rows(app, "SELECT count(*) FROM artwork_tags WHERE source = 'artist'")[0][0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("name,year\nx,1900\n")
    result = runner.invoke(args=["import-catalog", str(bad)])
    assert result.exit_code != 0 and "missing column" in result.output


def test_reindex_reports_what_it_indexed(app, catalogue_csv):
    runner = app.test_cli_runner()
    runner.invoke(args=["import-catalog", str(catalogue_csv), "--workers", "1"])
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "Indexed 3 artworks" in result.output


def test_evaluate_search_prints_the_measures_and_writes_the_run(app, catalogue_csv, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["import-catalog", str(catalogue_csv), "--workers", "1", "--no-subject-tags"])
    ids = {row["title"]: row["id"] for row in rows(app, "SELECT id, title FROM artworks")}
    qrels, queries, run = tmp_path / "eval.qrels", tmp_path / "eval.queries", tmp_path / "run.txt"
    qrels.write_text(f"q1 0 {ids['Zebra and Parachute']} 1\nq2 0 {ids['The Woolshop']} 1\n"
                     f"q3 0 {ids['Sunlight on the river']} 1\nq3 0 {ids['Zebra and Parachute']} 0\n")
    queries.write_text("q1\tzebra parachut\nq2\twoolshp\nq3\tsunlight\n")
    result = runner.invoke(args=["evaluate", "search", "--qrels", str(qrels), "--run-out", str(run),
                                 "--config", "default", "--compare", "plain", "--verbose"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines() if line.strip()}
    assert lines["MRR"] == ["1.0000", "0.3333", "-0.6667"]  # plain bm25 finds neither the prefix nor the typo
    assert run.read_text().splitlines()[0].startswith("q1 Q0 ")
    assert "3 queries, 4 judgements" in result.output


def test_evaluate_refuses_a_bad_config(app, tmp_path):
    qrels = tmp_path / "x.qrels"
    qrels.write_text("q1 0 a 1\n")
    (tmp_path / "x.queries").write_text("q1\tzebra\n")
    (tmp_path / "bad.json").write_text('{"speed": 11}')
    result = app.test_cli_runner().invoke(args=["evaluate", "search", "--qrels", str(qrels), "--config",
                                                str(tmp_path / "bad.json")])
    assert result.exit_code != 0 and "unknown ranking settings" in result.output


def test_queries_file_format(tmp_path):
    path = tmp_path / "q.tsv"
    path.write_text("# comment\n\nq1\tblue horse\n")
    assert evaluate.read_queries(path) == {"q1": "blue horse"}
    path.write_text("q1 blue horse\n")
    with pytest.raises(ValueError):
        evaluate.read_queries(path)


def test_reindex_fingerprints_images_stored_before_fingerprints(app, artist):
    from tests.conftest import encoded, painting, upload_ok

    client, _ = artist
    work = upload_ok(client, encoded(painting(3)))
    conn = store.connect(app.config["DATABASE"])
    try:
        with store.transaction(conn):
            conn.execute("DELETE FROM image_fingerprints")
        result = app.test_cli_runner().invoke(args=["reindex"])
        assert result.exit_code == 0, result.output
        assert [row[0] for row in conn.execute("SELECT artwork_id FROM image_fingerprints")] == [work["id"]]
    finally:
        conn.close()


def test_reindex_requantises_words_of_another_vocabulary_without_the_image(app, artist):
    from imaging import vocabulary
    from tests.conftest import encoded, painting, upload_ok

    client, _ = artist
    work = upload_ok(client, encoded(painting(4)))
    conn = store.connect(app.config["DATABASE"])
    try:
        fresh = conn.execute("SELECT words FROM image_keypoints").fetchone()[0]
        with store.transaction(conn):
            conn.execute("UPDATE image_keypoints SET words = zeroblob(8), vocabulary = 'retired'")
            conn.execute("UPDATE artworks SET image_path = 'gone/missing.jpg'")   # no decoding: the file is gone
        result = app.test_cli_runner().invoke(args=["reindex"])
        assert result.exit_code == 0, result.output
        assert [tuple(row) for row in conn.execute("SELECT artwork_id, words, vocabulary FROM image_keypoints")] == [
            (work["id"], fresh, vocabulary.identity())]
    finally:
        conn.close()
